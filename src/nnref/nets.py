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
        hidden = [int(h) for h in hidden]
        if any(h <= 0 for h in hidden):
            raise ValueError(f"model.hidden={hidden}: every hidden size must be a positive integer")
        layers, width = [], int(n_inputs)
        for h in hidden:
            layers += [nn.Linear(width, h), ACTIVATIONS[activation]()]
            width = h
        layers.append(nn.Linear(width, int(n_outputs)))
        super().__init__(*layers)
