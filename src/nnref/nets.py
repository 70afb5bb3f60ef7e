"""The MLP body shared by every task head: Linear -> activation, repeated, then a Linear output layer.

The output layer gives logits (net inputs of the output units); each task head applies its own
output activation, so losses can use torch's fused, numerically stable forms.
"""
from __future__ import annotations

from torch import nn

ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "identity": nn.Identity}


class MLP(nn.Sequential):
    def __init__(self, n_inputs: int, hidden=(64,), n_outputs: int = 1, activation: str = "relu"):
        if activation not in ACTIVATIONS:
            raise ValueError(f"model.activation={activation}: unknown; valid: {', '.join(ACTIVATIONS)}")
        try:
            hidden = [int(h) for h in hidden]
        except (TypeError, ValueError):
            hidden = None
        if hidden is None or any(h <= 0 for h in hidden):
            raise ValueError("model.hidden: must be a list of positive integers, e.g. model.hidden=[64,32] "
                             "(or [] for no hidden layer)")
        for key, value in (("n_inputs", n_inputs), ("n_outputs", n_outputs)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"MLP {key}={value!r}: must be a positive integer")
        layers, width = [], n_inputs
        for h in hidden:
            layers += [nn.Linear(width, h), ACTIVATIONS[activation]()]
            width = h
        layers.append(nn.Linear(width, n_outputs))
        super().__init__(*layers)
        # The sizes it was built with, so a head can record them and rebuild it from a checkpoint.
        self.n_inputs, self.n_outputs, self.hidden, self.activation = n_inputs, n_outputs, hidden, activation
