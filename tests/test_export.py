"""CSV/Parquet export: spreadsheet-safe CSV, and exports that load back with their exact dtypes."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pandas.testing as pdt
import pytest

import comfyframe as cf
from comfyframe._cli import main
from comfyframe.errors import ComfyFrameError
from comfyframe.views._export import TABLES, export_tables, for_csv, for_parquet, write_csv

HOSTILE = [
    "\r=1+1.safetensors",
    "a\r\n=cmd|' /C calc'!A0",
    "\n+SUM(A1).ckpt",
    "\t@SUM(1).pt",
    "  =HYPERLINK(\"http://x\").safetensors",
    "\x01\x02-2+3.gguf",
    " \x1b=1.bin",
    "\uff1d1+1.safetensors",
    "'=already.safetensors",
    "'",
    "",
    "plain, \"quoted\"; name.safetensors",
    "-",
    "ok.safetensors",
]


def _hostile_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "name": pd.array(HOSTILE, dtype="string"),
        "size_bytes": pd.array(range(len(HOSTILE)), dtype="Int64"),
        "loader_nodes": [("=Evil;Loader", "100%", ""), *([()] * (len(HOSTILE) - 1))],
    })  # fmt: skip


def test_every_text_field_is_quoted_so_cr_lf_tab_cannot_split_a_record(tmp_path: Path) -> None:
    path = tmp_path / "models.csv"
    write_csv(_hostile_frame(), path)
    with open(path, newline="", encoding="utf-8") as handle:
        records = list(csv.reader(handle))
    assert len(records) == 1 + len(HOSTILE)
    assert all(len(r) == 3 for r in records)
    assert [r[0] for r in records[1:]] == for_csv(_hostile_frame())["name"].tolist()
    read = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert len(read) == len(HOSTILE)
    assert not read["name"].str.match(r"[=+\-@]").any()


def test_formulas_after_whitespace_or_control_characters_are_neutralised() -> None:
    out = for_csv(_hostile_frame())["name"].tolist()
    assert out[0] == "'\r=1+1.safetensors"
    assert out[4] == "'  =HYPERLINK(\"http://x\").safetensors"
    assert out[5] == "'\x01\x02-2+3.gguf"
    assert out[7] == "'\uff1d1+1.safetensors"
    assert out[8] == "''=already.safetensors"
    assert out[10] == "'"  # '' is a lone apostrophe in a column where an empty field means NA
    assert out[13] == "ok.safetensors"


def test_csv_written_from_hostile_names_reads_back_exactly(tmp_path: Path) -> None:
    frame = _hostile_frame().assign(
        meta_title=pd.array([None, *HOSTILE[1:]], dtype="string"),  # '' and NA both, kept apart
        family=pd.array(HOSTILE[::-1], dtype="string"),  # '' is this column's empty value
    )
    export_tables({"models": frame}, tmp_path)
    back = cf.read_export(tmp_path)["models"]
    pdt.assert_frame_equal(back[frame.columns], frame)
    assert back["loader_nodes"].tolist() == frame["loader_nodes"].tolist()


def test_empty_text_is_an_empty_field_where_it_means_none(tmp_path: Path) -> None:
    frame = pd.DataFrame({"family": pd.array(["", "sdxl"], dtype="string"),
                          "meta_title": pd.array(["", None], dtype="string")})
    write_csv(frame, tmp_path / "models.csv")
    assert (tmp_path / "models.csv").read_text().splitlines()[1:] == ['"","\'"', '"sdxl",""']
    back = cf.read_export(tmp_path)["models"]
    assert back["family"].tolist() == ["", "sdxl"] and back["meta_title"].tolist()[0] == ""
    assert pd.isna(back["meta_title"].iloc[1])


def test_tuples_become_joined_text_and_lists() -> None:
    frame = pd.DataFrame({"capabilities": [("image_to_video", "text_to_video"), ()],
                          "loader_nodes": [("A", "UNETLoader"), ()]})
    assert for_csv(frame)["capabilities"].tolist() == ["image_to_video;text_to_video", ""]
    assert for_parquet(frame)["capabilities"].tolist() == [["image_to_video", "text_to_video"], []]


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_demo_export_round_trips_with_the_original_dtypes(tmp_path: Path, fmt: str) -> None:
    found = cf.discover(demo=True)
    assert [p.name for p in found.export(tmp_path, fmt)] == [f"{t}.{fmt}" for t in TABLES]
    back = cf.read_export(tmp_path)
    assert list(back) == list(TABLES)
    for name in TABLES:
        pdt.assert_frame_equal(back[name], getattr(found, name))
    for name, column in [("models", "capabilities"), ("models", "loader_nodes"), ("nodes", "output_types")]:
        assert back[name][column].map(type).eq(tuple).all(), (name, column)


def test_read_export_of_a_folder_without_tables_says_what_it_expected(tmp_path: Path) -> None:
    with pytest.raises(ComfyFrameError, match="No exported tables"):
        cf.read_export(tmp_path)
    (tmp_path / "models.csv").write_text("name,size_bytes\n\"a\",not-a-number\n")
    with pytest.raises(ComfyFrameError, match="Cannot read models"):
        cf.read_export(tmp_path)


def test_set_valued_columns_are_sorted_tuples_that_print_without_frozenset() -> None:
    models = cf.discover(demo=True).models
    for column in ("capabilities", "loader_nodes", "loader_outputs"):
        cells = models[column]
        assert cells.map(lambda v: isinstance(v, tuple) and list(v) == sorted(v)).all(), column
    shown = io.StringIO()
    shown.write(models[["name", "capabilities"]].to_string())
    assert "frozenset" not in shown.getvalue()


FLEET_SERVERS = ["demo://comfyui-0.3.75", "http://host:8188", "../../escape/..\\x%2F?#=1"]


def _fleet_tables() -> dict[str, pd.DataFrame]:
    """The demo's tables as three servers, one of them named to escape a folder."""
    found = cf.discover(demo=True)
    tables: dict[str, pd.DataFrame] = {}
    for name in TABLES:
        frame = getattr(found, name)
        copies = [frame.assign(server=pd.array([server] * len(frame), dtype=frame["server"].dtype))
                  for server in FLEET_SERVERS]
        tables[name] = pd.concat(copies, ignore_index=True)
    return tables


def test_partitioned_parquet_round_trips_and_names_stay_inside_their_folder(tmp_path: Path) -> None:
    tables = _fleet_tables()
    written = export_tables(tables, tmp_path / "out", "parquet", partition_by="server")
    assert [p.name for p in written] == list(TABLES)
    models = tmp_path / "out" / "models"
    assert sorted(p.name for p in models.iterdir()) == [
        "server=..%2F..%2Fescape%2F..%5Cx%252F%3F%23%3D1", "server=demo%3A%2F%2Fcomfyui-0.3.75",
        "server=http%3A%2F%2Fhost%3A8188",
    ]
    for path in (tmp_path / "out").rglob("*"):
        assert path.resolve().is_relative_to((tmp_path / "out").resolve())
        if path.is_file():
            parts = path.relative_to(tmp_path / "out").parts  # table/server=…/part-0, or table/part-0 when empty
            assert parts[-1] == "part-0.parquet" and (len(parts) == 2 or (len(parts) == 3 and parts[1].startswith("server=")))
            assert len(parts) == 3 or tables[parts[0]].empty
    back = cf.read_export(tmp_path / "out")
    assert list(back) == list(TABLES)
    for name in TABLES:
        pdt.assert_frame_equal(back[name], tables[name])
    # written again over itself: replaced, not appended to
    export_tables(tables, tmp_path / "out", "parquet", partition_by="server")
    pdt.assert_frame_equal(cf.read_export(tmp_path / "out")["models"], tables["models"])


def test_duckdb_reads_the_partitioned_dataset_as_it_is(tmp_path: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    tables = _fleet_tables()
    export_tables(tables, tmp_path, "parquet", partition_by="server")
    glob = (tmp_path / "models" / "**" / "*.parquet").as_posix()
    rows = duckdb.sql(
        f"select server, count(*) from read_parquet('{glob}', hive_partitioning=true) group by server"
    ).fetchall()
    assert dict(rows) == tables["models"]["server"].value_counts().to_dict()


def test_partition_by_needs_parquet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    found = cf.discover(demo=True)
    with pytest.raises(ComfyFrameError, match="needs --format parquet"):
        found.export(tmp_path, "csv", partition_by="server")
    with pytest.raises(ComfyFrameError, match="Cannot partition by 'name'"):
        found.export(tmp_path, "parquet", partition_by="name")
    assert main(["export", "--demo", "--out", str(tmp_path / "x"), "--partition-by", "server"]) == 2
    assert "comfyframe: error: --partition-by server needs --format parquet" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
    assert main(["export", "--demo", "--out", str(tmp_path / "pq"), "--format", "parquet",
                 "--partition-by", "server"]) == 0
    assert (tmp_path / "pq" / "models" / "server=demo%3A%2F%2Fcomfyui-0.3.75" / "part-0.parquet").is_file()
    pdt.assert_frame_equal(cf.read_export(tmp_path / "pq")["models"], found.models)
