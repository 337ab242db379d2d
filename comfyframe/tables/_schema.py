"""The shape of every table comfyframe returns, declared in one place.

Each table is a list of :class:`Column` (name, pandas dtype, meaning). Builders
construct tables with :func:`from_columns` (one typed array per declared column),
so column order and dtypes are the same whether the data came from a live
server, a reloaded snapshot, or an empty server; :func:`conform` brings a frame
built elsewhere (tests, hand-made frames) to the same shape.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import astuple, dataclass
from typing import Any

import numpy as np
import pandas as pd

try:
    import pyarrow as pa
except ImportError:  # pragma: no cover - pyarrow is optional
    pa = None

OBJECT = "object"  # tuples of str


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str
    doc: str


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def describe(self) -> pd.DataFrame:
        """The declared columns as a DataFrame (for docs and notebooks)."""
        return pd.DataFrame(
            {"column": self.names, "dtype": [c.dtype for c in self.columns], "meaning": [c.doc for c in self.columns]}
        )


def _t(name: str, *cols: tuple[str, str, str]) -> Table:
    return Table(name, tuple(Column(*c) for c in cols))


HARDWARE = _t(
    "hardware",
    ("server", "string", "URL of the server"),
    ("device_index", "Int64", "position of the device in /system_stats devices"),
    ("device", "string", "device name as the server reports it"),
    ("device_type", "string", "torch device type: cuda, xpu, mps, cpu, privateuseone, …"),
    ("gpu_name", "string", "readable device name, e.g. 'NVIDIA GeForce RTX 4090'"),
    ("vendor", "string", "NVIDIA, AMD, Intel, Apple, DirectML, CPU or unknown"),
    ("vram_total_gb", "float64", "device memory in GiB"),
    ("vram_free_gb", "float64", "free device memory in GiB at capture time"),
    ("torch_vram_total_gb", "float64", "memory torch has reserved, GiB"),
    ("torch_vram_free_gb", "float64", "free memory inside torch's reservation, GiB"),
    ("ram_total_gb", "float64", "system RAM in GiB"),
    ("ram_free_gb", "float64", "free system RAM in GiB"),
    ("os", "string", "os as reported (posix, nt, linux, win32, darwin)"),
    ("platform", "string", "linux, windows, macos or posix"),
    ("comfyui_version", "string", "ComfyUI version"),
    ("python_version", "string", "server Python version"),
    ("pytorch_version", "string", "server PyTorch version"),
    ("is_remote", "boolean", "False for localhost, 127.0.0.0/8 and ::1"),
    ("vram_mode", "string", "cpu, novram, lowvram, normal, highvram or gpu_only (launch flags)"),
    ("reserve_vram_gb", "float64", "--reserve-vram value, GiB (0 when absent)"),
    ("budget_gb", "float64", "memory a job may use under the launch flags, GiB: total memory less the reserve "
     "(--reserve-vram, else ComfyUI's 0.4 GiB; in RAM: less the OS's share), as ComfyUI unloads models for a job"),
    ("budget_free_gb", "float64", "the same from the memory free at capture time (budget='free')"),
    ("budget_basis", "string", "how budget_gb was reached, in words"),
    ("argv", "string", "server launch arguments, space-joined"),
)

NODES = _t(
    "nodes",
    ("server", "string", "URL of the server"),
    ("node", "string", "node class name"),
    ("display_name", "string", "name shown in the UI"),
    ("category", "string", "menu category"),
    ("python_module", "string", "module that defines it (newer servers only)"),
    ("package", "string", "custom-node package, or 'comfy_core'"),
    ("is_core", "boolean", "ships with ComfyUI"),
    ("output_types", OBJECT, "tuple of output types, in output order"),
    ("output_node", "boolean", "is an output node"),
    ("deprecated", "boolean", "marked deprecated"),
    ("experimental", "boolean", "marked experimental"),
    ("api_node", "boolean", "calls a paid cloud API"),
    ("model_inputs", "Int64", "number of inputs whose dropdown offers model files"),
    ("models_offered", "Int64", "number of distinct model files its dropdowns offer"),
    ("loads_models", "boolean", "at least one dropdown offers a model file"),
)

EDGES = _t(
    "edges",
    ("server", "string", "URL of the server"),
    ("node", "string", "node class offering the file"),
    ("input", "string", "input name of the dropdown"),
    ("section", "string", "required or optional"),
    ("format", "string", "dropdown format: list (legacy) or combo (COMBO/V3)"),
    ("folder", "string", "model folder of the file ('' when the server listed none)"),
    ("name", "string", "file name as offered"),
    ("whole_folder", "boolean", "a combined loader offering every file of the folder: no evidence of what it is"),
)

MODELS_BASE = _t(
    "models",
    ("server", "string", "URL of the server"),
    ("folder", "string", "model folder as the server lists it ('' when unknown)"),
    ("name", "string", "file name as the server lists it (subfolders, backslashes kept)"),
    ("path", "string", "name with '/' separators"),
    ("subfolder", "string", "directory part of path"),
    ("filename", "string", "base name"),
    ("stem", "string", "base name without extension"),
    ("ext", "string", "lower-case extension without dot"),
    ("size_bytes", "Int64", "file size from the server (NA when it did not say)"),
    ("modified", "datetime64[ns, UTC]", "file modification time (NA when not reported)"),
    ("listed", "boolean", "listed by /models (False: seen only in a node's dropdown)"),
    ("has_metadata", "boolean", "safetensors __metadata__ was read"),
    ("hash", "string", "content hash from the assets API, e.g. 'blake3:…' (NA when the server has none)"),
    ("asset_base_model", "string", "metadata.base_model of the file's assets API record (NA when none)"),
    ("meta_architecture", "string", "modelspec.architecture"),
    ("meta_base_model", "string", "ss_base_model_version (kohya)"),
    ("meta_title", "string", "modelspec.title"),
    ("meta_implementation", "string", "modelspec.implementation"),
    ("meta_sd_model_name", "string", "ss_sd_model_name (kohya)"),
    ("meta_network_module", "string", "ss_network_module (kohya)"),
    ("loader_nodes", OBJECT, "sorted tuple of node classes whose dropdowns offer it"),
    ("loader_outputs", OBJECT, "sorted tuple of output types of those nodes"),
    ("loader_count", "Int64", "number of node classes offering it"),
    ("broken", "string", "why the file cannot be loaded (empty, unreadable safetensors header …), '' when fine; "
     "a broken file is never a pipeline part"),
)

# Added to ``models`` from the server's prompt history (comfyframe/_usage.py).
MODEL_USAGE = _t(
    "models",
    ("use_count", "Int64", "prompts in the known history (and queue) that used the file; 0 when none"),
    ("last_used", "datetime64[ns, UTC]", "when the latest of those prompts ran (NaT when never)"),
)

USAGE = _t(
    "usage",
    ("server", "string", "URL of the server"),
    ("prompt_id", "string", "prompt id in /history or /queue"),
    ("time", "datetime64[ns, UTC]", "when the prompt ran (queued prompts: when queued; NaT when unknown)"),
    ("status", "string", "success, error, running, pending or unknown"),
    ("node", "string", "node class whose input named the file"),
    ("input", "string", "input name"),
    ("folder", "string", "model folder of the file"),
    ("name", "string", "file name"),
)

# Internal column build_models adds for inference and explain, never in Discovery.models or an export: the
# file's header read remotely ({'tensors': [[key, dtype, shape]…], 'data_bytes', 'metadata'…}) or None.
HEADER_COLUMN = "header"

# Columns comfyframe.inference._infer.infer_models adds to MODELS_BASE (rules and formulas: see that module).
MODELS_INFERRED = (
    ("kind", "string", "checkpoint, diffusion_model, lora, vae, … or unknown"),
    ("family", "string", "base-model family (sd15 … ace_step, or a key from the server's templates such as "
     "krea_2), '' when unknown"),
    ("capabilities", OBJECT, "sorted tuple of text_to_image, image_to_image, text_to_video, image_to_video, "
     "upscale, text_to_audio"),
    ("variant", "string", "';'-joined sorted variant tokens (t2v, i2v, turbo, 4step, …)"),
    ("precision", "string", "fp16, bf16, fp8_e4m3fn, … or ''"),
    ("quant", "string", "GGUF quant type (Q4_K_M, Q8_0, …) or ''"),
    ("params_b", "float64", "parameters in billions (NaN when unknown)"),
    ("weights_gb", "float64", "the file's weights as ComfyUI holds them on the GPU, GiB"),
    ("vram_gb", "float64", "GPU memory to run it alone: weights + a typical job's activations, GiB"),
    ("quality", "Int64", "tier 1-10 for generators of a known family, else NA"),
    ("source", "string", "evidence that decided the family: metadata, name, loader, folder, size, kind, template, "
     "none"),
    ("confidence", "float64", "0-1 confidence in the family"),
    ("kind_source", "string", "evidence that decided the kind: folder, loader, name, none"),
)
# Columns Discovery adds from the pipelines (comfyframe.pipelines._pipelines.adapter_columns).
MODELS_ADAPTERS = (
    ("applies_to", "string", "for adapters (LoRA, ControlNet, IP-Adapter, motion module …): the base family it runs on"),
    ("orphan", "boolean", "an adapter with no ready generator of a family it runs on, on its server (NA otherwise)"),
)
MODELS = _t(
    "models", *(astuple(c) for c in MODELS_BASE.columns), *MODELS_INFERRED,
    *(astuple(c) for c in MODEL_USAGE.columns), *MODELS_ADAPTERS,
)

CAPABILITY_TABLE = _t(
    "capabilities",
    ("model_row", "int64", "row of the models table"),
    ("server", "string", "URL of the server"),
    ("folder", "string", "model folder"),
    ("name", "string", "file name"),
    ("kind", "string", "kind of the model"),
    ("family", "string", "family of the model ('' when unknown)"),
    ("vram_gb", "float64", "GPU memory to run it, GiB"),
    ("quality", "Int64", "quality tier (NA when unrated)"),
    ("capability", "string", "one capability of the model"),
)

# modelspec / kohya keys copied into columns; the full dict stays in the snapshot.
METADATA_COLUMNS: dict[str, str] = {
    "meta_architecture": "modelspec.architecture",
    "meta_base_model": "ss_base_model_version",
    "meta_title": "modelspec.title",
    "meta_implementation": "modelspec.implementation",
    "meta_sd_model_name": "ss_sd_model_name",
    "meta_network_module": "ss_network_module",
}


def from_columns(table: Table, data: Mapping[str, Any], length: int) -> pd.DataFrame:
    """Build a table straight from Python columns (lists, or a scalar for every row).

    Columns the table declares but ``data`` lacks are filled with missing values;
    extra keys of ``data`` are ignored. One typed array per column, no casting pass.
    """
    arrays: dict[str, Any] = {}
    for column in table.columns:
        values = data.get(column.name)
        if isinstance(values, str) and column.dtype == "string":
            arrays[column.name] = _repeated_text(values, length)
            continue
        if values is None or isinstance(values, (str, int, float, bool)):
            values = [values] * length
        arrays[column.name] = typed_array(values, column.dtype, length)
    return pd.DataFrame(arrays, index=pd.RangeIndex(length), copy=False)


def typed_array(values: Any, dtype: str, length: int) -> Any:
    """``values`` (``length`` of them) as one column of ``dtype``: what ``pd.array`` gives, by the fastest path."""
    if dtype == OBJECT:
        return object_cells(values, length)
    if dtype == "string":
        # a column already built (text_take) passes as it is; not pandas' NaN-semantics "str" arrays
        ready = isinstance(values, pd.arrays.ArrowStringArray) and values.dtype == pd.StringDtype()
        return values if ready else _text_array(values)
    if dtype == "boolean":
        return _bool_array(values)
    if dtype == "float64" and isinstance(values, list):  # what pd.array gives, without its per-call overhead
        return np.array(values, dtype=np.float64)
    if dtype == "Int64" and isinstance(values, np.ndarray) and values.dtype == np.int64:
        return pd.arrays.IntegerArray(values.copy(), np.zeros(len(values), dtype=bool))
    return pd.array(values, dtype=dtype)


def object_cells(values: Sequence[Any] | np.ndarray, length: int) -> np.ndarray:
    """``values`` as the cells of an object array: tuples stay cells (numpy would read equal-length tuples as
    a second axis)."""
    try:
        return np.fromiter(values, dtype=object, count=length)
    except (ValueError, TypeError):  # numpy before 1.23 builds no object array from an iterator
        cells = np.empty(length, dtype=object)
        for i, value in enumerate(values):
            cells[i] = value
        return cells


def arrow_strings(values: Any) -> Any:
    """``values`` (str and None cells) copied by Arrow into large_string, or None: no pyarrow-backed strings,
    or cells Arrow will not take as they are (numbers, NaN, unencodable text), which pandas must convert.

    pandas checks and converts every cell in Python first, which costs more than the Arrow copy.
    """
    if pa is None or pd.StringDtype().storage != "pyarrow":
        return None
    try:
        return pa.array(values, type=pa.large_string(), from_pandas=False)
    except (pa.ArrowException, ValueError, TypeError):
        return None


def text_take(values: Sequence[str | None], rows: np.ndarray) -> Any:
    """A ``string`` column whose row i is ``values[rows[i]]``: Arrow gathers it, without a Python list of rows."""
    data = arrow_strings(values)
    if data is None:
        return _text_array([values[i] for i in rows.tolist()])
    return pd.arrays.ArrowStringArray(data.take(pa.array(rows)))


def _text_array(values: Any) -> Any:
    """``pd.array(values, dtype="string")``: straight through Arrow when the cells are str or None."""
    data = arrow_strings(values)
    return pd.arrays.ArrowStringArray(data) if data is not None else pd.array(values, dtype="string")


def _repeated_text(value: str, length: int) -> Any:
    """``value`` in every row of a ``string`` column (Arrow repeats it without a Python list)."""
    if pa is not None and pd.StringDtype().storage == "pyarrow":
        try:
            return pd.arrays.ArrowStringArray(pa.repeat(pa.scalar(value, type=pa.large_string()), length))
        except (pa.ArrowException, ValueError, TypeError):  # unencodable text: pandas converts it
            pass
    return _text_array([value] * length)


def _bool_array(values: Any) -> Any:
    """``pd.array(values, dtype="boolean")``, without the per-cell pass when every cell is a bool."""
    plain = np.asarray(values) if isinstance(values, (list, np.ndarray)) else None
    if plain is not None and plain.dtype == np.bool_ and plain.ndim == 1:
        return pd.arrays.BooleanArray(plain.copy(), np.zeros(len(plain), dtype=bool))
    return pd.array(values, dtype="boolean")


def conform(frame: pd.DataFrame, table: Table, *, keep_extra: bool = True) -> pd.DataFrame:
    """Return ``frame`` with the table's columns (added empty when missing) in order and dtype."""
    out = frame.copy() if not frame.empty or len(frame.columns) else pd.DataFrame(index=frame.index)
    for column in table.columns:
        if column.name not in out.columns:
            out[column.name] = pd.Series([None] * len(out), index=out.index, dtype=OBJECT)
        if column.dtype != OBJECT:
            out[column.name] = out[column.name].astype(column.dtype)
    extra = [c for c in out.columns if c not in table.names] if keep_extra else []
    return out[table.names + extra].reset_index(drop=True)


PIPELINES = _t(
    "pipelines",
    ("server", "string", "URL of the server"),
    ("generator_folder", "string", "folder of the generator ('' when a motion module found no base)"),
    ("generator", "string", "checkpoint, diffusion model or upscale model file that does the job"),
    ("module", "string", "folder/name of the motion module this pipeline animates with ('' for none)"),
    ("kind", "string", "the generator's kind: checkpoint, diffusion_model or upscale"),
    ("family", "string", "the generator's family"),
    ("variant", "string", "variant labels of the generator (of the motion module, for its rows)"),
    ("capabilities", OBJECT, "the generator's native tasks (the module's, for motion-module rows)"),
    ("jobs", OBJECT, "what the pipeline can run now: capabilities less those a missing part takes, plus "
                     "image_to_image by denoising for text-to-image pipelines; empty when not ready"),
    ("components", OBJECT, "installed parts chosen for it, as 'folder/name'"),
    ("missing", OBJECT, "parts still needed, as 'role:component' (e.g. 'vae:wan22')"),
    ("ready", "boolean", "every part it needs is installed"),
    ("precision", "string", "the generator's precision"),
    ("quant", "string", "the generator's GGUF quant"),
    ("quality", "Int64", "quality tier of the generator (of the motion module, for its rows)"),
    ("weights_gb", "float64", "diffusion weights on the GPU while sampling, GiB (motion module included)"),
    ("activations_gb", "float64", "ComfyUI's sampling memory for the job, GiB (_job_memory.py)"),
    ("encode_gb", "float64", "text encoders and image/audio encoders loaded to encode, GiB"),
    ("decode_gb", "float64", "VAE weights plus VAE decode memory for the job, GiB"),
    ("vram_gb", "float64", "peak GPU memory of the job: max(encode, weights + activations, decode), GiB"),
    ("width", "Int64", "job width in pixels"),
    ("height", "Int64", "job height in pixels"),
    ("frames", "Int64", "job frames (1 for images; seconds for audio, rounded)"),
    ("batch", "Int64", "job batch size"),
)


# Text columns whose builders write '' (never NA) for "none": CSV writes '' there as an empty field.
EMPTY_TEXT = frozenset({
    "folder", "subfolder", "path", "filename", "stem", "ext",
    "kind", "family", "variant", "precision", "quant", "source", "kind_source",
    "generator_folder", "module",
})  # fmt: skip

# The tables Discovery exports, by file name.
EXPORTED: dict[str, Table] = {
    "models": MODELS, "nodes": NODES, "edges": EDGES, "hardware": HARDWARE, "capabilities": CAPABILITY_TABLE,
    "pipelines": PIPELINES, "usage": USAGE,
}  # fmt: skip
