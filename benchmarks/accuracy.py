"""Score family, kind and capability inference on the project's real-world labelled tables.

Tables: tests/test_infer_realworld.py ``ROWS`` (templates, manager lists, manifests, corpora) and
tests/data/infer_users*.csv (users' provisioning scripts, configs and inventories; one table per file). Prints, per table and overall, kind /
family / capability accuracy, the wrong-family and unknown-family rates, per-family precision and recall and
the confusion matrix. A report, not a gate (the asserting tests are in pytest): it exits 0.

    .venv/bin/python benchmarks/accuracy.py [--matrix]
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from test_infer_realworld import ROWS  # noqa: E402

import comfyframe as cf  # noqa: E402

USERS = ROOT / "tests" / "data" / "infer_users.csv"
USER_TABLES = sorted(USERS.parent.glob("infer_users*.csv"))  # infer_users.csv -> table "users", *_models -> "users_models"
COLUMNS = ["folder", "name", "size_bytes", "kind", "family", "capabilities"]


def labelled() -> pd.DataFrame:
    """Every labelled row with its table name and source (the disk it was listed on)."""
    realworld = pd.DataFrame(ROWS, columns=COLUMNS).assign(table="realworld", source="realworld")
    users = pd.concat([pd.read_csv(path, comment="#", dtype=str, keep_default_na=False)
                       .assign(table=path.stem.removeprefix("infer_")) for path in USER_TABLES], ignore_index=True)  # fmt: skip
    users["size_bytes"] = pd.to_numeric(users["size_bytes"], errors="coerce")
    frame = pd.concat([realworld, users[[*COLUMNS, "table", "source"]]], ignore_index=True)
    return frame.fillna({"family": "", "capabilities": ""})


def predict(truth: pd.DataFrame) -> pd.DataFrame:
    """Run discovery on the labelled files; one row per labelled row.

    A source whose names use subfolders is served as its own server (its own disk: sibling evidence never
    mixes two users' "Style/" folders); all other rows share one server. A source is a repository (the part
    of "owner/repo:path" before the colon), an issue or a file.
    """
    source = truth["source"] if "source" in truth.columns else pd.Series([""] * len(truth), index=truth.index)
    source = source.str.replace(r"^([^:/]+/[^:/]+):.*$", r"\1", regex=True)
    nested = set(source[truth["name"].str.contains("/", regex=False)])
    disk = pd.factorize(source.where(source.isin(nested), ""))[0]
    urls = np.array([f"http://127.0.0.1:{10000 + i}" for i in range(int(disk.max()) + 1)], dtype=object)
    snapshots = []
    for i, url in enumerate(urls):
        mine = truth[disk == i]
        responses: dict[str, object] = {"/object_info": {}, "/models": sorted(set(mine["folder"]))}
        for folder, rows in mine.groupby("folder"):
            responses[f"/models/{folder}"] = rows["name"].drop_duplicates().tolist()
            sized = rows.dropna(subset=["size_bytes"]).drop_duplicates("name")
            responses[f"/experiment/models/{folder}"] = [
                {"name": n, "size": int(s), "modified": 0, "pathIndex": 0} for n, s in zip(sized["name"], sized["size_bytes"])
            ]
        snapshots.append(cf.Snapshot(url=url, responses=responses))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        models = cf.Discovery(snapshots, warn=False).models
    got = models.drop_duplicates(["server", "folder", "name"]).set_index(["server", "folder", "name"])
    keys = pd.MultiIndex.from_arrays([urls[disk], truth["folder"].to_numpy(), truth["name"].to_numpy()])
    out = pd.DataFrame({
        "kind": got["kind"].reindex(keys).to_numpy(dtype=object),
        "family": got["family"].reindex(keys).fillna("").to_numpy(dtype=object),
        "capabilities": [";".join(sorted(c)) for c in got["capabilities"].reindex(keys)],
    })  # fmt: skip
    return out


def scores(truth: pd.DataFrame, got: pd.DataFrame) -> dict[str, float]:
    has_family = truth["family"].ne("").to_numpy()
    given = got["family"].ne("").to_numpy()
    right = got["family"].to_numpy() == truth["family"].to_numpy()
    return {
        "files": float(len(truth)),
        "kind": float((got["kind"].to_numpy() == truth["kind"].to_numpy()).mean()),
        "family": float(right.mean()),
        "wrong": float((given & ~right).mean()),
        "unknown": float((has_family & ~given).mean()),
        "capabilities": float((got["capabilities"].to_numpy() == truth["capabilities"].to_numpy()).mean()),
    }


def per_family(truth: pd.Series, got: pd.Series) -> pd.DataFrame:
    """Precision and recall per family ("" excluded), with support."""
    rows = []
    for family in sorted(set(truth) - {""}):
        said = got == family
        real = truth == family
        rows.append({"family": family, "support": int(real.sum()), "predicted": int(said.sum()),
                     "precision": (said & real).sum() / said.sum() if said.any() else float("nan"),
                     "recall": (said & real).sum() / real.sum()})  # fmt: skip
    return pd.DataFrame(rows).set_index("family")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--matrix", action="store_true", help="print the full confusion matrix")
    args = parser.parse_args(argv)
    truth = labelled()
    got = predict(truth)
    table = pd.DataFrame({name: scores(truth[truth["table"] == name].reset_index(drop=True),
                                       got[(truth["table"] == name).to_numpy()].reset_index(drop=True))
                          for name in truth["table"].unique()})  # fmt: skip
    table["all"] = pd.Series(scores(truth, got))
    with pd.option_context("display.width", 160, "display.max_rows", 200, "display.float_format", "{:.3f}".format):
        print("accuracy (family: right family or rightly none; wrong: a family given but wrong; unknown: none given)")
        print(table.to_string())
        print("\nper family")
        print(per_family(truth["family"], got["family"]).to_string())
        confusion = pd.crosstab(truth["family"].replace("", "(none)"), got["family"].replace("", "(none)"),
                                rownames=["truth"], colnames=["predicted"])  # fmt: skip
        off = confusion.stack()
        off = off[(off > 0) & (off.index.get_level_values(0) != off.index.get_level_values(1))]
        print("\nconfusions (truth -> predicted: files)")
        print("\n".join(f"  {t} -> {p}: {n}" for (t, p), n in off.items()) or "  none")
        if args.matrix:
            print("\nconfusion matrix")
            print(confusion.to_string())
        wrong = truth[(got["family"].ne("") & got["family"].ne(truth["family"])).to_numpy()]
        if len(wrong):
            print("\nwrong families:")
            for (_, t), g in zip(wrong.iterrows(), got.loc[wrong.index, "family"]):
                print(f"  {t['folder']}/{t['name']}: {g} (truth {t['family']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
