"""An email address on a narrow screen: break opportunities after its @ and before each dot, nothing else changed."""

from __future__ import annotations

from journal.templating import email_breaks


def test_breaks_after_the_at_sign_and_before_each_dot():
    assert email_breaks("ana.maria@clinic.example.org") == "ana<wbr>.maria@<wbr>clinic<wbr>.example<wbr>.org"
    assert email_breaks("plain") == "plain" and email_breaks(None) == ""


def test_the_address_is_escaped_before_any_tag_is_added():
    shown = email_breaks('<b>"x"</b>@a.org')
    assert shown == "&lt;b&gt;&#34;x&#34;&lt;/b&gt;@<wbr>a<wbr>.org"
    assert "<b>" not in shown
