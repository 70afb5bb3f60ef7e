"""Equality of tensors, said in one line: where two lists of tensors first part, and by how much."""
from __future__ import annotations

import torch
from torch.testing import assert_close

# torch.testing.assert_close's default tolerances (its documented table), named here so that
# the element that breaks them can be found and shown, not only the fact that one does.
TOLERANCES = {
    torch.float16: (1e-3, 1e-5),
    torch.bfloat16: (1.6e-2, 1e-5),
    torch.float32: (1.3e-6, 1e-5),
    torch.float64: (1e-7, 1e-7),
    torch.complex32: (1e-3, 1e-5),
    torch.complex64: (1.3e-6, 1e-5),
    torch.complex128: (1e-7, 1e-7),
}


def number(x) -> str:
    return f"{x:.10g}" if not isinstance(x, complex) else f"{x.real:.10g}{x.imag:+.10g}j"


def first_difference(ours, theirs, *, exact=False, names=("ours", "twin"), label=None) -> str | None:
    """None when every pair is close (assert_close's tolerances, or bit for bit with exact=True);
    else one line naming the first parameter (or label) and element that differ, with both values."""
    for i, (a, b) in enumerate(zip(ours, theirs)):
        a, b = a.detach(), b.detach()
        a = a.to_dense() if a.is_sparse else a
        b = b.to_dense() if b.is_sparse else b
        what = label or f"param {i}"
        if a.shape != b.shape or a.dtype != b.dtype:
            return f"{what}: {names[0]} {a.dtype} {tuple(a.shape)} vs {names[1]} {b.dtype} {tuple(b.shape)}"
        rtol, atol = (0.0, 0.0) if exact else TOLERANCES.get(a.dtype, (0.0, 0.0))
        try:
            assert_close(a, b, rtol=rtol, atol=atol)
        except AssertionError:
            bad = (~torch.isclose(a, b, rtol=rtol, atol=atol)).nonzero()
            index = tuple(bad[0].tolist()) if len(bad) else ()
            where = f"[{', '.join(map(str, index))}]" if index else ""
            x, y = a[index].item(), b[index].item()
            return f"{what}{where}: {names[0]} {number(x)} vs {names[1]} {number(y)}"
    if len(ours) != len(theirs):
        return f"{names[0]} has {len(ours)} parameters, {names[1]} {len(theirs)}"
    return None


def error_line(error: BaseException) -> str:
    """An exception as one line: its type and the first line of its message."""
    message = str(error).strip().splitlines()
    return f"{type(error).__name__}: {message[0]}" if message else type(error).__name__
