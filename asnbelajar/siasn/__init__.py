"""SIASN (BKN's national personnel system): course-history records and the server-side push."""
