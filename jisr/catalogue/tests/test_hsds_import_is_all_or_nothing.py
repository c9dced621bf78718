"""`jisr import-hsds` is all or nothing: every document is checked first (HSDS 3.0's schemas,
shipped with Jisr, then Jisr's own checks), and one wrong document refuses the whole import with
each problem named by file and place (a JSON Pointer); nothing is written, the good documents
beside it included. Documents that once gave a traceback and aborted the directory among them."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from jisr.catalogue.hsds import schema as schema_module
from jisr.catalogue.hsds.importing import PROBLEMS_PER_FILE, catalogue_import
from jisr.catalogue.models import Service
from jisr.catalogue.tests import hsds_documents as hsds
from jisr.lib.errors import JisrError

pytestmark = pytest.mark.django_db

REFUSED = [
    # (what the bad file holds, what the refusal says of it)
    ({"contents": 5}, "bad.json: /contents: not a list of HSDS documents"),
    ([1, 2], "bad.json: /: not an HSDS document (a JSON object)"),
    ({"contents": [hsds.service(), "x"]}, "bad.json: /contents/1: not an HSDS document"),
    ({"contents": [{"contents": []}]}, "bad.json: /contents/0: a list inside a list"),
    (hsds.service(minimum_age=1e12), "bad.json: /minimum_age: an age is a whole number"),
    (hsds.service(minimum_age=12.5), "bad.json: /minimum_age: an age is a whole number"),
    (hsds.service(minimum_age=-3), "bad.json: /minimum_age: an age is a whole number"),
    (hsds.service(maximum_age=10**30), "bad.json: /maximum_age: an age is a whole number"),
    (
        hsds.service(minimum_age=40, maximum_age=20),
        f"bad.json: /: service {hsds.SERVICE}: ",
    ),
    (hsds.service(minimum_age="old"), "bad.json: /minimum_age: 'old' is not of type 'number'"),
    ({"name": "Legal aid", "status": "active"}, "bad.json: /: 'id' is a required property"),
    (
        {"contents": [{"name": "Legal aid", "status": "active"}]},
        "bad.json: /contents/0: 'id' is a required property",
    ),
    (hsds.service(id="not-a-uuid"), "bad.json: /id: 'not-a-uuid' is not a 'uuid'"),
    (hsds.service(name="Legal\x00aid"), "bad.json: /name: text with a NUL character"),
    (hsds.service(name="\ud800"), "bad.json: /name: text with a NUL character or an unpaired"),
    (hsds.service(name=""), "bad.json: /name: the service has no name"),
    (hsds.service(url="javascript:alert(1)"), f"bad.json: /: service {hsds.SERVICE}: url:"),
    (
        hsds.service(organization_id="5bbeaf6d-8162-4aa0-8fd3-627e8f9a0b12"),
        "bad.json: /organization_id: no organisation with this id in the files",
    ),
    (
        {**hsds.organisation(id="6ccfb07e-9273-4bb1-90a4-738f9a0b1c23"), "website": "ftp://x"},
        "bad.json: /: organisation 6ccfb07e-9273-4bb1-90a4-738f9a0b1c23: website:",
    ),
]
UNREADABLE = [
    (b"{not json", "bad.json: /: not JSON: Expecting property name"),
    (b'{"minimum_age": NaN}', "bad.json: /: not JSON Jisr reads: NaN is not a JSON number"),
    (b'{"minimum_age": 1e400}', "bad.json: /: not JSON Jisr reads: the number 1e400 is too"),
    (b"\xff\xfe{}", "bad.json: /: not UTF-8 text"),
    (b"[" * 100_000 + b"]" * 100_000, "bad.json: /: not JSON Jisr reads: nested too deeply"),
]


def _folder(tmp_path: Path) -> Path:
    """A good organisation and service, which a bad file beside them keeps out."""
    hsds.write(tmp_path, "organisation.json", hsds.organisation())
    hsds.write(tmp_path, "service.json", hsds.service(id="7d0e1f2a-3b4c-4d5e-8f60-718293a4b5c6"))
    return tmp_path


def _refused(folder: Path) -> str:
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_hsds", str(folder), stdout=StringIO(), stderr=err)
    return err.getvalue()


@pytest.mark.parametrize(("document", "said"), REFUSED)
def test_a_wrong_document_refuses_the_whole_import_and_says_where(
    tmp_path: Path, document: Any, said: str
) -> None:
    before = hsds.counts()
    hsds.write(_folder(tmp_path), "bad.json", document)
    assert said in _refused(tmp_path)
    assert hsds.counts() == before


@pytest.mark.parametrize(("content", "said"), UNREADABLE)
def test_a_file_that_is_not_json_refuses_the_whole_import(
    tmp_path: Path, content: bytes, said: str
) -> None:
    before = hsds.counts()
    (_folder(tmp_path) / "bad.json").write_bytes(content)
    assert said in _refused(tmp_path)
    assert hsds.counts() == before


def test_the_same_folder_imports_once_the_wrong_file_is_gone(tmp_path: Path) -> None:
    hsds.write(_folder(tmp_path), "bad.json", {"contents": 5})
    _refused(tmp_path)
    (tmp_path / "bad.json").unlink()
    call_command("import_hsds", str(tmp_path), stdout=StringIO(), stderr=StringIO())
    assert Service.objects.count() == 1


def test_every_wrong_file_is_listed_and_a_long_list_is_cut_short(tmp_path: Path) -> None:
    hsds.write(tmp_path, "one.json", {"contents": 5})
    many = {"contents": [{"name": "x", "status": "active"}] * (PROBLEMS_PER_FILE + 5)}
    hsds.write(tmp_path, "two.json", many)
    with pytest.raises(JisrError) as refused, translation.override("en"):
        catalogue_import(tmp_path)
    assert refused.value.code == "invalid"
    assert refused.value.fields["one.json"] == ["/contents: not a list of HSDS documents"]
    listed = refused.value.fields["two.json"]
    assert len(listed) == PROBLEMS_PER_FILE + 1
    assert listed[-1] == "… and 5 more problems"
    assert json.dumps(refused.value.as_dict(), ensure_ascii=False)  # the one JSON error shape


def test_the_schemas_ship_with_jisr_as_open_referral_published_them() -> None:
    """Validation needs nothing outside the package: the compiled schemas are in it, each the
    file its README names (by SHA-256 of the original)."""
    folder = Path(schema_module.__file__).parent / "schemas"
    recorded = dict(
        re.findall(r"`(\w+)\.json\.gz` \| `([0-9a-f]{64})`", (folder / "README.md").read_text())
    )
    assert set(recorded) == set(schema_module.SCHEMA_OF)
    for kind, digest in recorded.items():
        assert (
            hashlib.sha256(gzip.decompress((folder / f"{kind}.json.gz").read_bytes())).hexdigest()
            == digest
        )
        assert schema_module.schema(kind)["type"] == "object" or kind == "tabular"
