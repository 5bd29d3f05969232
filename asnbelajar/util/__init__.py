"""Small helpers shared by several domains (URLs, spreadsheets, PDF text, forms, pages)."""
