"""nnref.tasks: each head's LightningModule is a thin shell over its course head, trained the
Lightning way."""

import functools

import lightning as L
import pytest
import torch
from test_heads import LOSS_CASES as HEAD_CASES
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from nnref.heads import HEADS
from nnref.optim import GD
from nnref.tasks import MODULES, BinaryModule, MulticlassModule, RegressionModule

# The heads' cases (tests/test_heads.py), each on its LightningModule shell.
LOSS_CASES = [(MODULES[head.name], n_out, kw, target) for head, n_out, kw, target in HEAD_CASES]


def make(cls, n_out, **kw):
    return cls(
        n_inputs=4, n_outputs=n_out, hidden=[5], optimizer=functools.partial(GD, lr=0.1), **kw
    )


def test_each_module_shells_its_course_head_under_the_same_name():
    assert list(MODULES) == list(HEADS)
    for name, cls in MODULES.items():
        assert cls.head_class is HEADS[name]
    m = make(MulticlassModule, 3, loss="mse")
    assert (
        isinstance(m.head, HEADS["multiclass"])
        and m.head.loss_name == "mse"
        and m.name == "multiclass"
    )
    with pytest.raises(ValueError, match="valid: mse"):
        make(RegressionModule, 1, loss="ce")


def test_hidden_sizes_and_activation_shape_the_body():
    m = make(MulticlassModule, 3)
    m2 = MulticlassModule(n_inputs=4, n_outputs=3, hidden=[8, 6], activation="tanh")
    assert [layer.out_features for layer in m2.net if isinstance(layer, nn.Linear)] == [8, 6, 3]
    assert isinstance(m2.net[1], nn.Tanh) and isinstance(m.net[1], nn.ReLU)
    with pytest.raises(ValueError, match="model.activation"):
        MulticlassModule(n_inputs=4, n_outputs=3, activation="swish")


@pytest.mark.parametrize("cls,n_out,kw,target", LOSS_CASES)
def test_a_head_fits_with_plain_dataloaders_and_no_nnref_data_module(
    cls, n_out, kw, target, tmp_path
):
    torch.manual_seed(0)
    x = torch.randn(32, 4)
    y = target.repeat(8, *([1] * (target.ndim - 1)))
    module = make(cls, n_out, **kw)
    trainer = L.Trainer(
        max_epochs=2,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        default_root_dir=tmp_path,
    )
    trainer.fit(
        module,
        DataLoader(TensorDataset(x, y), batch_size=8),
        DataLoader(TensorDataset(x, y), batch_size=16),
    )
    assert trainer.global_step == 8
    assert "val/loss" in trainer.callback_metrics and "train/loss" in trainer.callback_metrics
    # Validation over two batches: the loss of the whole split, as if in one batch.
    with torch.no_grad():
        whole = module.head.loss(module(x), y)
        metrics = module.head.compute_metrics(module(x), y)
    torch.testing.assert_close(trainer.callback_metrics["val/loss"], whole, rtol=1e-5, atol=1e-6)
    for name, value in metrics.items():  # the torchmetrics objects, added up over both batches
        assert abs(float(trainer.callback_metrics[f"val/{name}"]) - value) < 1e-5, name
    assert [row["epoch"] for row in module.history] == [0, 1]


def test_the_epochs_train_loss_is_the_mean_of_each_batchs_loss_before_its_update(tmp_path):
    torch.manual_seed(0)
    x, y = torch.randn(30, 4), torch.randint(0, 3, (30,))
    module = make(MulticlassModule, 3)
    start = [p.detach().clone() for p in module.parameters()]
    trainer = L.Trainer(
        max_epochs=1,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        default_root_dir=tmp_path,
    )
    trainer.fit(module, DataLoader(TensorDataset(x, y), batch_size=8))
    # The same three updates by hand: 8, 8, 8 and 6 rows.
    net = make(MulticlassModule, 3).net
    with torch.no_grad():
        for p, s in zip(net.parameters(), start):
            p.copy_(s)
    opt, total = GD(net.parameters(), lr=0.1), 0.0
    for i in range(0, 30, 8):
        opt.zero_grad()
        loss = module.head.loss(net(x[i : i + 8]), y[i : i + 8])
        loss.backward()
        opt.step()
        total += float(loss.detach()) * len(y[i : i + 8])
    assert abs(module.history[0]["train/loss"] - total / 30) < 1e-6


def test_the_metric_state_stays_flat_however_many_batches_an_epoch_has(tmp_path):
    module = make(BinaryModule, 1)
    x, y = torch.randn(8, 4), torch.randint(0, 2, (8, 1)).float()

    def state_bytes():
        return sum(
            v.numel() * v.element_size()
            for m in (module.val_loss, *module.val_metrics.values())
            for v in m.metric_state.values()
        )

    sizes = {}
    for batch in range(1, 1001):
        # Validation_step's.
        module.evaluate((x + 0.01 * batch, y), module.val_loss, module.val_metrics)
        if batch in (10, 1000):
            sizes[batch] = state_bytes()
    assert sizes[10] == sizes[1000]
