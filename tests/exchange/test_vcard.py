"""vCard 3.0 and 4.0 files from other programs."""

from __future__ import annotations

from pathlib import Path

from crmtui.store import Store

from .helpers import dump, run_cli

VCARD_30 = (
    "BEGIN:VCARD\r\n"
    "VERSION:3.0\r\n"
    "PRODID:-//Apple Inc.//iPhone OS 17.0//EN\r\n"
    "N:Lefèvre;Zoé;;;\r\n"
    "FN:Zoé Lefèvre\r\n"
    "ORG:Crème & Co\\, SA;Ventes\r\n"
    "TITLE:Directrice commerciale\r\n"
    "item1.EMAIL;type=INTERNET;type=WORK;type=pref:zoe@creme.fr\r\n"
    "EMAIL;TYPE=HOME:Zoe@Home.fr\r\n"
    "TEL;TYPE=CELL;TYPE=VOICE;TYPE=pref:+33 6 12 34 56 78\r\n"
    "TEL;TYPE=WORK,FAX:01 45 67 89 10\r\n"
    "ADR;TYPE=WORK:;;12 rue de la Paix;Paris;;75002;France\r\n"
    "NOTE:Aime le thé\\, pas le café.\\nRappeler en mai\r\n"
    "  et en juin.\r\n"
    "CATEGORIES:Clients,VIP\\, premium\r\n"
    "X-SOCIALPROFILE;type=twitter:https://x.com/zoe\r\n"
    "END:VCARD\r\n"
)
VCARD_40 = (
    "BEGIN:VCARD\n"
    "VERSION:4.0\n"
    "KIND:individual\n"
    "FN:Łukasz Wąs\n"
    "N:Wąs;Łukasz;;;\n"
    'TEL;VALUE=uri;TYPE="cell,voice":tel:+48-601-234-567\n'
    "TEL;TYPE=home:+48 22 123 45 67\n"
    "EMAIL:lukasz@was.pl\n"
    "UID:urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1\n"
    "END:VCARD\n"
    "BEGIN:VCARD\n"
    "VERSION:4.0\n"
    "KIND:org\n"
    "FN:Wąs Sp. z o.o.\n"
    "ORG:Wąs Sp. z o.o.\n"
    "END:VCARD\n"
)


def _one(store: Store, last_name: str) -> dict[str, object]:
    return next(c for c in dump(store).values() if c["last_name"] == last_name)


def test_vcard_30_with_folding_types_org_and_categories(
    tmp_path: Path, db: Path, store: Store
) -> None:
    path = tmp_path / "iphone.vcf"
    path.write_text(VCARD_30, encoding="utf-8")
    result = run_cli(db, "import", "contacts", str(path))
    assert result.exit_code == 0, result.output
    assert (
        "line 1: warning: line 16: unknown vCard property X-SOCIALPROFILE ignored" in result.output
    )
    zoe = _one(store, "Lefèvre")
    assert zoe["title"] == "Directrice commerciale"
    assert zoe["description"] == "Aime le thé, pas le café.\nRappeler en mai et en juin."
    assert zoe["emails"] == [("work", "zoe@creme.fr"), ("home", "zoe@home.fr")]
    assert [(p[0], p[2]) for p in zoe["phones"]] == [  # type: ignore[union-attr]
        ("mobile", "+33612345678"),
        ("fax", "+33145678910"),
    ]
    assert zoe["addresses"] == [("work", "12 rue de la Paix", "75002", "Paris", "", "FR")]
    assert zoe["tags"] == ["Clients", "VIP, premium"]
    company = dump(store)[zoe["company_id"]]  # type: ignore[index]
    assert company["company_name"] == "Crème & Co, SA"


def test_vcard_40_uri_numbers_uid_and_companies(tmp_path: Path, db: Path, store: Store) -> None:
    path = tmp_path / "cards.vcf"
    path.write_text(VCARD_40, encoding="utf-8")
    assert run_cli(db, "import", "contacts", str(path)).exit_code == 0
    contacts = dump(store)
    lukasz = contacts["4fbe8971-0bc3-424c-9c26-36c3e1eff6b1"]
    assert [(p[0], p[2]) for p in lukasz["phones"]] == [
        ("mobile", "+48601234567"),
        ("home", "+48221234567"),
    ]
    assert [c["kind"] for c in contacts.values()].count("company") == 1
    again = run_cli(db, "import", "contacts", str(path))
    assert "unchanged\t2" in again.output  # one by its UID, one by its derived id
    assert dump(store) == contacts


def test_broken_cards_are_rejected_with_their_line(tmp_path: Path, db: Path, store: Store) -> None:
    path = tmp_path / "broken.vcf"
    path.write_text(
        "BEGIN:VCARD\nVERSION:3.0\nFN:Good One\nN:One;Good;;;\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nthis line has no colon\nFN:Bad\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nFN:No End\n",
        encoding="utf-8",
    )
    rejects = tmp_path / "rejects.csv"
    result = run_cli(db, "import", "contacts", str(path), "--rejects", str(rejects))
    assert result.exit_code == 1
    assert (
        "line 6: rejected: line 8: 'this line has no colon' is not a vCard property"
        in result.output
    )
    assert "line 11: rejected: the vCard starting on line 11 has no END:VCARD" in result.output
    assert [c["last_name"] for c in dump(store).values()] == ["One"]
    assert rejects.read_text(encoding="utf-8").count("\n") == 3
