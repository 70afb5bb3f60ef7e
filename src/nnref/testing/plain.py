"""What the student's code returned, as plain data: numbers, lists and strings that JSON carries.

Each check runs in two halves: a probe calls the student's code and reads what it returned, and a
judge holds that to the reference. The grader (nnref.grading) runs the probe in a process of its
own and the judge in another, so what passes between them must be data, never objects: an object
could carry code, and a tensor subclass could lie when it is compared. `read` turns a result into
plain data through torch's base class, so a subclass is read as its plain values; `value` turns
that back into tensors on the judge's side, where the kit's comparisons run. A notebook's check
takes the same road in one process, so the notebook and the grader judge the same numbers.

    read(torch.ones(2))   # {"kind": "tensor", "dtype": "float32", "shape": [2], "values": [1., 1.]}
    value(read(x))        # a plain torch.Tensor with x's dtype, shape and values
"""

from __future__ import annotations

import torch
from torch import nn

MAX_ELEMENTS = 1_000_000  # a larger tensor is read as its shape and dtype alone
MAX_ITEMS = 10_000  # a longer list is read as its type alone
MAX_DEPTH = 6
DTYPES = {
    str(dtype).removeprefix("torch."): dtype
    for dtype in (
        *(torch.float64, torch.float32, torch.float16, torch.bfloat16),
        *(torch.int64, torch.int32, torch.int16, torch.int8, torch.uint8, torch.bool),
        *(torch.complex128, torch.complex64),
    )
}
# Taken once, when the kit is imported: a student's code runs later in the same process and may
# replace torch.Tensor's methods; these stay torch's own.
AS_SUBCLASS = torch.Tensor.as_subclass
DETACH = torch.Tensor.detach
TOLIST = torch.Tensor.tolist
SIZE = torch.Tensor.size
DTYPE = torch.Tensor.dtype  # the attribute's descriptor: DTYPE.__get__(tensor)
IS_COMPLEX = torch.Tensor.is_complex
VIEW_AS_REAL = torch.view_as_real
TO_DENSE = torch.Tensor.to_dense
IS_SPARSE = torch.Tensor.is_sparse
NUMEL = torch.Tensor.numel
CPU = torch.Tensor.cpu


def type_name(thing) -> str:
    """The name of a thing's type, as a short str whatever the type claims."""
    try:
        return str(type.__dict__["__name__"].__get__(type(thing)))[:100]
    except Exception:  # noqa: BLE001 - a type that will not even say its name
        return "object"


def shown(thing) -> str:
    """repr(thing), or its type's name when its repr raises."""
    try:
        return str(repr(thing))
    except Exception:  # noqa: BLE001
        return f"<{type_name(thing)}>"


def tensor(x) -> dict:
    """A tensor (or a subclass of one, read as torch.Tensor) as plain data."""
    base = DETACH(AS_SUBCLASS(x, torch.Tensor))
    if IS_SPARSE.__get__(base):
        base = TO_DENSE(base)
    dtype = DTYPE.__get__(base)
    shape = list(SIZE(base))
    data = {"kind": "tensor", "dtype": str(dtype).removeprefix("torch."), "shape": shape}
    if NUMEL(base) > MAX_ELEMENTS:
        return data | {"values": None}
    base = CPU(base)
    # A complex tensor travels as its pairs (real, imaginary): JSON has no complex numbers.
    return data | {"values": TOLIST(VIEW_AS_REAL(base) if IS_COMPLEX(base) else base)}


def read(thing, depth: int = 0) -> dict:
    """What a student's code returned, as plain data (any type; never raises)."""
    try:
        if isinstance(thing, torch.Tensor):
            return tensor(thing)
        if isinstance(thing, nn.Linear):
            bias = thing.bias
            return {
                "kind": "linear",
                "weight": tensor(thing.weight),
                "bias": None if bias is None else tensor(bias),
            }
        if isinstance(thing, (list, tuple)) and len(thing) <= MAX_ITEMS and depth < MAX_DEPTH:
            items = [read(item, depth + 1) for item in thing]
            return {"kind": "list", "type": "tuple" if isinstance(thing, tuple) else "list"} | {
                "items": items
            }
        if isinstance(thing, bool):
            return {"kind": "number", "type": "bool", "value": bool.__bool__(thing)}
        if isinstance(thing, int):
            return {"kind": "number", "type": "int", "value": int.__int__(thing)}
        if isinstance(thing, float):
            return {"kind": "number", "type": "float", "value": float.__float__(thing)}
        if thing is None:
            return {"kind": "none"}
        if isinstance(thing, str):
            return {"kind": "str", "value": str.__str__(thing)[:1000]}
    except Exception:  # noqa: BLE001 - something that will not be read is read as its type
        pass
    return {"kind": "object", "type": type_name(thing)}


def tree(thing, depth: int = 0):
    """A state dict (nested dicts and lists of tensors and numbers) as plain data: dict keys as
    str, every leaf read."""
    if depth >= MAX_DEPTH:
        return {"kind": "object", "type": type_name(thing)}
    if isinstance(thing, dict):
        return {"kind": "dict", "items": [[str(k), tree(v, depth + 1)] for k, v in thing.items()]}
    if isinstance(thing, (list, tuple)) and len(thing) <= MAX_ITEMS:
        return {"kind": "list", "items": [tree(item, depth + 1) for item in thing]}
    return read(thing, depth)


def tensors(things) -> list[dict]:
    """Several tensors (a model's parameters, a path's point) as plain data."""
    return [tensor(t) for t in things]


# ------------------------------------------------------------------ the judge's side


def as_tensor(data: dict) -> torch.Tensor:
    """The tensor read by `tensor`: a plain torch.Tensor. A tensor too large to have been read
    comes back with its shape and dtype on the meta device (no values)."""
    dtype = DTYPES[data["dtype"]]
    if data["values"] is None:
        return torch.empty(data["shape"], dtype=dtype, device="meta")
    if dtype.is_complex:
        real = torch.tensor(data["values"], dtype=dtype.to_real())
        return torch.view_as_complex(real.reshape(*data["shape"], 2))
    return torch.tensor(data["values"], dtype=dtype).reshape(data["shape"])


def opaque(name: str) -> object:
    """A stand-in for a result that was not data (a module, a numpy array): an object whose type
    has that name, so that a check says `returned ndarray` as it would in the student's process."""
    return type(str(name), (), {"__repr__": lambda self: f"<{name}>"})()


def value(data: dict):
    """What `read` read, back as torch tensors, lists, numbers or stand-ins."""
    kind = data["kind"]
    if kind == "tensor":
        return as_tensor(data)
    if kind == "linear":
        weight = as_tensor(data["weight"])
        bias = None if data["bias"] is None else as_tensor(data["bias"])
        # skip_init: no random initial weights (the kit never draws from the global generator)
        layer = nn.utils.skip_init(
            nn.Linear, weight.shape[1], weight.shape[0], bias=bias is not None, dtype=weight.dtype
        )
        layer.weight = nn.Parameter(weight)
        if bias is not None:
            layer.bias = nn.Parameter(bias)
        return layer
    if kind == "list":
        items = [value(item) for item in data["items"]]
        return tuple(items) if data["type"] == "tuple" else items
    if kind == "number":
        return {"bool": bool, "int": int, "float": float}[data["type"]](data["value"])
    if kind == "none":
        return None
    if kind == "str":
        return data["value"]
    return opaque(data["type"])


def values(data: list[dict]) -> list[torch.Tensor]:
    return [as_tensor(t) for t in data]


def same(a, b) -> bool:
    """Two trees read by `tree` equal, bit for bit (NaN equals nothing, as in torch.equal)."""
    return a == b
