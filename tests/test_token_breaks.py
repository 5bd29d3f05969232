"""Emails and certificate numbers wrap only between their parts: the ``breakable`` filter
puts a <wbr> after "@" and "/" and before "." "-" "_" (each part escaped), and the pages
that list them use it instead of breaking anywhere (``text-break``)."""

from __future__ import annotations

from asnbelajar.web import breakable


def test_breakable_marks_only_the_separators():
    assert str(breakable("siti.rahma@bkn.go.id")) == (
        "siti<wbr>.rahma@<wbr>bkn<wbr>.go<wbr>.id")
    assert str(breakable("00012/ASNB-NS/41/II/2024")) == (
        "00012/<wbr>ASNB<wbr>-NS/<wbr>41/<wbr>II/<wbr>2024")
    assert str(breakable('<b>"x"@y.z')) == "&lt;b&gt;&#34;x&#34;@<wbr>y<wbr>.z"
    assert str(breakable(None)) == ""


def test_participant_list_and_page_wrap_emails_at_separators(client, login, organizer,
                                                             make_participant):
    siti = make_participant(email="siti.rahmawati.panjang@kemenpanrb.go.id")
    login(organizer)
    for path in ("/console/participants", f"/console/participants/{siti.id}/ledger"):
        page = client.get(path).get_data(as_text=True)
        assert ('<span class="token-wrap">siti<wbr>.rahmawati<wbr>.panjang@<wbr>kemenpanrb'
                '<wbr>.go<wbr>.id</span>') in page, path
