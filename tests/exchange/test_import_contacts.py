"""`crmtui import contacts` on CSV files: mappings, policies, rejects, re-runs."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import text

from crmtui.exchange.csv_import import contact_handler, import_opened, open_contacts
from crmtui.exchange.importer import Outcome
from crmtui.store import Store

from .helpers import Stores, dump, run_cli

GOOGLE_HEADER = (
    "First Name,Middle Name,Last Name,Phonetic First Name,Name Prefix,Nickname,File As,"
    "Organization Name,Organization Title,Organization Department,Birthday,Notes,Labels,"
    "E-mail 1 - Label,E-mail 1 - Value,E-mail 2 - Label,E-mail 2 - Value,Phone 1 - Label,"
    "Phone 1 - Value,Phone 2 - Label,Phone 2 - Value,Address 1 - Label,Address 1 - Formatted,"
    "Address 1 - Street,Address 1 - City,Address 1 - Region,Address 1 - Postal Code,"
    "Address 1 - Country,Address 1 - Country Code,Website 1 - Label,Website 1 - Value"
)
GOOGLE_ROW = (
    'Zoé,Anne,Lefèvre,,,,,Crème & Co,Directrice,,,"Likes tea,\nnot coffee",'
    "* myContacts ::: Clients ::: VIP,Work,zoe@creme.fr,Home,ZOE@home.fr,Mobile,"
    "+33 6 12 34 56 78 ::: 06 98 76 54 32,Work Fax,01 45 67 89 10,Work,"
    '"12 rue X\nParis",12 rue X,Paris,IDF,75001,France,FR,,https://creme.fr'
)
OUTLOOK_HEADER = (
    "Title,First Name,Middle Name,Last Name,Suffix,Company,Department,Job Title,"
    "Business Street,Business City,Business State,Business Postal Code,"
    "Business Country/Region,Business Fax,Business Phone,Mobile Phone,Home Phone,"
    "Categories,E-mail Address,E-mail Type,E-mail Display Name,Notes,Web Page"
)
OUTLOOK_ROW = (
    "M.,François,,Müller,,Bäckerei Müller,,Gérant,3 Hauptstraße,Köln,NRW,50667,Deutschland,"
    ",+49 221 123456,+49 151 23456789,,Kunden;Bäcker,f.muller@baeckerei.de,SMTP,"
    '"François Müller (f.muller@baeckerei.de)",“Stammkunde” seit 2019 \u2013 10 €,'
)


def _contact(store: Store, last_name: str) -> dict[str, object]:
    rows = [c for c in dump(store).values() if c["last_name"] == last_name]
    assert len(rows) == 1, rows
    return rows[0]


def test_google_contacts_export(tmp_path: Path, db: Path, store: Store) -> None:
    path = tmp_path / "google.csv"
    path.write_text(f"{GOOGLE_HEADER}\n{GOOGLE_ROW}\n", encoding="utf-8")
    result = run_cli(db, "import", "contacts", str(path))
    assert result.exit_code == 0, result.output
    zoe = _contact(store, "Lefèvre")
    assert (zoe["first_name"], zoe["title"]) == ("Zoé Anne", "Directrice")
    assert zoe["description"] == "Likes tea,\nnot coffee"
    assert zoe["website"] == "https://creme.fr"
    assert zoe["tags"] == ["Clients", "VIP"]
    assert zoe["emails"] == [("work", "zoe@creme.fr"), ("home", "zoe@home.fr")]
    assert [(p[0], p[2]) for p in zoe["phones"]] == [  # type: ignore[union-attr]
        ("mobile", "+33612345678"),
        ("mobile", "+33698765432"),
        ("fax", "+33145678910"),
    ]
    assert zoe["addresses"] == [("work", "12 rue X", "75001", "Paris", "IDF", "FR")]
    company = dump(store)[zoe["company_id"]]  # type: ignore[index]
    assert (company["kind"], company["company_name"]) == ("company", "Crème & Co")


def test_outlook_export_in_cp1252(tmp_path: Path, db: Path, store: Store) -> None:
    path = tmp_path / "outlook.csv"
    path.write_bytes(f"{OUTLOOK_HEADER}\r\n{OUTLOOK_ROW}\r\n".encode("cp1252"))
    result = run_cli(db, "import", "contacts", str(path))
    assert result.exit_code == 0, result.output
    assert "cp1252" in result.output
    f = _contact(store, "Müller")
    assert (f["first_name"], f["title"]) == ("François", "Gérant")
    assert f["description"] == "“Stammkunde” seit 2019 \u2013 10 €"
    assert f["tags"] == ["Bäcker", "Kunden"]
    assert [(p[0], p[2]) for p in f["phones"]] == [  # type: ignore[union-attr]
        ("work", "+49221123456"),
        ("mobile", "+4915123456789"),
    ]
    assert f["addresses"] == [("work", "3 Hauptstraße", "50667", "Köln", "NRW", "DE")]


def test_map_option_names_unknown_columns(tmp_path: Path, db: Path, store: Store) -> None:
    path = tmp_path / "own.csv"
    path.write_text(
        "Nom complet\tGSM\tRemarque\nJean Paul Martin\t06 11 22 33 44\tx\n", encoding="utf-8"
    )
    refused = run_cli(db, "import", "contacts", str(path))
    assert refused.exit_code == 2
    assert "no column holds a name" in refused.output
    result = run_cli(
        db,
        "import",
        "contacts",
        str(path),
        "--map",
        "Nom complet=name",
        "--map",
        "GSM=phone:mobile",
    )
    assert result.exit_code == 0, result.output
    assert "Remarque" in result.output  # said to be ignored
    jp = _contact(store, "Martin")
    assert jp["first_name"] == "Jean Paul"
    assert jp["phones"] == [("mobile", "06 11 22 33 44", "+33611223344", 1)]


def test_unknown_map_target_is_refused(tmp_path: Path, db: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a\nb\n", encoding="utf-8")
    result = run_cli(db, "import", "contacts", str(path), "--map", "a=shoe_size")
    assert result.exit_code == 2
    assert "unknown field 'shoe_size'" in result.output


def _existing(store: Store) -> str:
    return str(
        store.mutate(
            "contact.create",
            {
                "first_name": "Anna",
                "last_name": "Nowak",
                "title": "CEO",
                "emails": [{"address": "anna@nowak.pl"}],
                "phones": [{"raw": "+48 601 234 567"}],
            },
        )
    )


DUP_CSV = (
    "first_name,last_name,email,mobile,title\n"
    "Anna,Nowak-Kowalska,ANNA@nowak.pl,+48 602 000 111,CTO\n"
    "Piotr,Zieliński,piotr@z.pl,,\n"
)


@pytest.mark.parametrize(
    ("policy", "contacts", "title", "phones"),
    [("skip", 2, "CEO", 1), ("update", 2, "CTO", 2), ("create", 3, "CEO", 1)],
)
def test_duplicate_policies(
    tmp_path: Path, db: Path, store: Store, policy: str, contacts: int, title: str, phones: int
) -> None:
    anna = _existing(store)
    path = tmp_path / "dup.csv"
    path.write_text(DUP_CSV, encoding="utf-8")
    result = run_cli(db, "import", "contacts", str(path), "--on-duplicate", policy)
    assert result.exit_code == 0, result.output
    after = dump(store)
    assert len(after) == contacts
    assert after[anna]["title"] == title
    assert len(after[anna]["phones"]) == phones


def test_same_name_at_same_company_is_a_duplicate(tmp_path: Path, db: Path, store: Store) -> None:
    path = tmp_path / "a.csv"
    path.write_text("first name,last name,company\nÉric,Dubois,ACME\n", encoding="utf-8")
    assert run_cli(db, "import", "contacts", str(path)).exit_code == 0
    again = tmp_path / "b.csv"
    again.write_text(
        "first name,last name,company\neric,DUBOIS,Acme\nEric,Dubois,Other\n", encoding="utf-8"
    )
    result = run_cli(db, "import", "contacts", str(again))
    assert "skipped\t1" in result.output and "created\t1" in result.output
    people = [c for c in dump(store).values() if c["kind"] == "person"]
    assert len(people) == 2


def test_dry_run_changes_nothing_and_predicts_the_real_run(
    tmp_path: Path, db: Path, store: Store
) -> None:
    _existing(store)
    path = tmp_path / "dup.csv"
    path.write_text(
        DUP_CSV + "Bad,Mail,not-an-email,,\nPiotr,Zieliński,piotr@z.pl,,\n", encoding="utf-8"
    )
    before = dump(store)
    dry = run_cli(db, "import", "contacts", str(path), "--dry-run")
    assert dump(store) == before
    assert "dry run" in dry.output
    real = run_cli(db, "import", "contacts", str(path))
    table = [line for line in real.output.splitlines() if "\t" in line]
    assert table == [line for line in dry.output.splitlines() if "\t" in line]
    assert "skipped\t2" in table  # Anna (in the store) and Piotr's second row (in the file)
    assert dry.exit_code == real.exit_code == 1


def test_rejects_file_and_nothing_stored_changes(tmp_path: Path, db: Path, store: Store) -> None:
    anna = _existing(store)
    before = dump(store)[anna]
    path = tmp_path / "bad.csv"
    path.write_text(
        "first_name,last_name,email,phone\n"
        "Ok,Person,ok@x.fr,12\n"  # unparsable phone: kept raw, with a warning
        "Anna,Nowak,anna@@nowak,\n"  # invalid e-mail
        ",,,0600000000\n"  # no name
        "Too,Many,a@b.fr,1,extra\n",
        encoding="utf-8",
    )
    rejects = tmp_path / "rejects.csv"
    result = run_cli(db, "import", "contacts", str(path), "--rejects", str(rejects))
    assert result.exit_code == 1
    assert "line 2: warning: phone '12' could not be parsed; kept as typed" in result.output
    with rejects.open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["line", "reason", "first_name", "last_name", "email", "phone"]
    assert [(r[0], r[1]) for r in rows[1:]] == [
        ("3", "e-mail 'anna@@nowak' is not an e-mail address"),
        ("4", "a person needs a first or a last name"),
        ("5", "expected 4 columns, found 5"),
    ]
    assert rows[1][2:] == ["Anna", "Nowak", "anna@@nowak", ""]
    after = dump(store)
    assert after[anna] == before
    ok = _contact(store, "Person")
    assert ok["phones"] == [("work", "12", None, 0)]


@pytest.mark.parametrize("content", [b"", b"\x00\x01\x02binary\xff\xfe\x00"])
def test_unusable_files_exit_2(tmp_path: Path, db: Path, content: bytes) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    result = run_cli(db, "import", "contacts", str(path))
    assert result.exit_code == 2
    assert "error:" in result.output


def _people_csv(path: Path, n: int) -> Path:
    lines = ["first_name,last_name,company,phone,email,tags"]
    for i in range(n):
        lines.append(
            f'P{i},Nom{i},Firm {i % 3},+33 1 45 67 {i // 100:02d} {i % 100:02d},p{i}@x.fr,"a,b"'
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_running_twice_gives_the_same_store(tmp_path: Path, db: Path, store: Store) -> None:
    path = _people_csv(tmp_path / "p.csv", 40)
    for policy in ("skip", "update", "create"):
        assert run_cli(db, "import", "contacts", str(path), "--on-duplicate", policy).exit_code == 0
        if policy == "skip":
            first = dump(store)
            with store.read() as s:
                outbox = s.execute(text("SELECT count(*) FROM _outbox")).scalar()
    assert dump(store) == first
    with store.read() as s:
        assert s.execute(text("SELECT count(*) FROM _outbox")).scalar() == outbox
    assert len(first) == 43  # 40 people and the 3 companies made for them


class Crash(Exception):
    pass


def test_interrupted_import_leaves_whole_records_and_resumes(
    tmp_path: Path, stores: Stores
) -> None:
    path = _people_csv(tmp_path / "p.csv", 23)
    clean, crashed = stores.new(), stores.new()
    opened = open_contacts(path)
    import_opened(clean, opened, contact_handler(opened, "skip"), batch_size=5)
    opened = open_contacts(path)
    handler = contact_handler(opened, "skip")
    seen = []

    def dies_on_the_12th(session, ctx, record) -> Outcome:  # type: ignore[no-untyped-def]
        seen.append(record.line)
        if len(seen) == 12:
            raise Crash  # the process dies in the middle of the third batch
        return handler(session, ctx, record)

    with pytest.raises(Crash):
        import_opened(crashed, opened, dies_on_the_12th, batch_size=5)
    partial = dump(crashed)
    people = [c for c in partial.values() if c["kind"] == "person"]
    assert len(people) == 10  # two whole batches, nothing of the third
    assert all(
        len(p["phones"]) == 1 and len(p["emails"]) == 1 and p["tags"] == ["a", "b"] for p in people
    )
    opened = open_contacts(path)
    summary = import_opened(crashed, opened, contact_handler(opened, "skip"), batch_size=5)
    assert summary.counts["unchanged"] == 10 and summary.counts["created"] == 13
    assert dump(crashed) == dump(clean)
