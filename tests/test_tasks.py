"""nnref.tasks: each head's loss is the torch loss it names; wrong combinations are refused."""
import functools

import pytest
import torch
from torch import nn

from nnref.data.encoding import OrdinalEncoder, TargetScaler
from nnref.optim import GD
from nnref.tasks import BinaryModule, MulticlassModule, MultilabelModule, RegressionModule

torch.manual_seed(0)
LOGITS = torch.tensor([[2.0, -1.0, 0.5], [-3.0, 0.2, 1.0], [0.0, 0.0, 0.0], [7.0, -7.0, 1.5]])


def make(cls, n_out, **kw):
    return cls(n_inputs=4, n_outputs=n_out, hidden=[5], optimizer=functools.partial(GD, lr=0.1), **kw)


def test_binary_loss_is_bce_with_logits():
    m = make(BinaryModule, 1)
    z, t = LOGITS[:, :1], torch.tensor([[1.0], [0.0], [1.0], [0.0]])
    torch.testing.assert_close(m.loss(z, t), nn.BCEWithLogitsLoss()(z, t))
    torch.testing.assert_close(m.predict(z), torch.sigmoid(z).squeeze(1))


def test_binary_mse_variant_is_sigmoid_then_mse():
    m = make(BinaryModule, 1, loss="mse")
    z, t = LOGITS[:, :1], torch.tensor([[1.0], [0.0], [1.0], [0.0]])
    torch.testing.assert_close(m.loss(z, t), nn.MSELoss()(torch.sigmoid(z), t))


def test_multiclass_loss_is_cross_entropy_on_one_hot():
    m = make(MulticlassModule, 3)
    y = torch.tensor([0, 2, 1, 1])
    one_hot = nn.functional.one_hot(y, 3).float()
    torch.testing.assert_close(m.loss(LOGITS, y), nn.CrossEntropyLoss()(LOGITS, y))
    torch.testing.assert_close(m.loss(LOGITS, y), nn.CrossEntropyLoss()(LOGITS, one_hot))
    torch.testing.assert_close(m.predict(LOGITS).sum(1), torch.ones(4))


def test_multiclass_mse_and_ordinal_variants():
    y = torch.tensor([0, 2, 1, 1])
    m = make(MulticlassModule, 3, loss="mse")
    torch.testing.assert_close(m.loss(LOGITS, y), nn.MSELoss()(torch.softmax(LOGITS, 1), nn.functional.one_hot(y, 3).float()))
    enc = OrdinalEncoder(["red", "yellow", "blue"])
    o = make(MulticlassModule, 1, loss="mse", encoding="ordinal", encoders={"target": enc.to_dict()})
    z = LOGITS[:, :1]
    codes = torch.tensor([1.0, 0.5, 0.0])[y]
    torch.testing.assert_close(o.loss(z, y), nn.MSELoss()(torch.sigmoid(z).squeeze(1), codes))
    assert o.predict(z).shape == (4, 3)


def test_multilabel_loss_is_sum_of_binary_cross_entropies():
    m = make(MultilabelModule, 3)
    t = torch.tensor([[1.0, 0, 1], [0, 0, 0], [1, 1, 1], [0, 1, 0]])
    per_label = sum(nn.BCEWithLogitsLoss()(LOGITS[:, j], t[:, j]) for j in range(3))
    torch.testing.assert_close(m.loss(LOGITS, t), per_label)


def test_regression_loss_is_mse_and_sigmoid_variant_reports_original_units():
    m = make(RegressionModule, 1)
    z, t = LOGITS[:, :1], torch.tensor([[1.0], [0.5], [-1.0], [2.0]])
    torch.testing.assert_close(m.loss(z, t), nn.MSELoss()(z, t))
    scaler = TargetScaler.fit([25.0, 346.0], "minmax")
    s = make(RegressionModule, 1, output="sigmoid", encoders={"target": scaler.to_dict()})
    torch.testing.assert_close(s.loss(z, t), nn.MSELoss()(torch.sigmoid(z), t))
    torch.testing.assert_close(s.predict(z), 25.0 + 321.0 * torch.sigmoid(z))


@pytest.mark.parametrize("cls,kw,match", [
    (RegressionModule, {"loss": "ce"}, "valid: mse"),
    (MultilabelModule, {"loss": "mse"}, "valid: ce"),
    (MulticlassModule, {"encoding": "ordinal", "loss": "ce"}, "ordinal needs task.loss=mse"),
    (MulticlassModule, {"encoding": "binaryish"}, "valid: onehot, ordinal"),
    (RegressionModule, {"output": "softmax"}, "valid: identity, sigmoid"),
])
def test_senseless_combinations_are_refused_with_the_valid_choices(cls, kw, match):
    with pytest.raises(ValueError, match=match):
        make(cls, 1, **kw)


def test_hidden_sizes_and_activation_shape_the_body():
    m = make(MulticlassModule, 3)
    m2 = MulticlassModule(n_inputs=4, n_outputs=3, hidden=[8, 6], activation="tanh")
    assert [l.out_features for l in m2.net if isinstance(l, nn.Linear)] == [8, 6, 3]
    assert isinstance(m2.net[1], nn.Tanh) and isinstance(m.net[1], nn.ReLU)
    with pytest.raises(ValueError, match="model.activation"):
        MulticlassModule(n_inputs=4, n_outputs=3, activation="swish")


LOSS_CASES = [
    (BinaryModule, 1, {}, torch.tensor([[1.0], [0.0], [1.0], [0.0]])),
    (BinaryModule, 1, {"loss": "mse"}, torch.tensor([[1.0], [0.0], [1.0], [0.0]])),
    (MulticlassModule, 3, {}, torch.tensor([0, 2, 1, 0])),
    (MulticlassModule, 3, {"loss": "mse"}, torch.tensor([0, 2, 1, 0])),
    (MultilabelModule, 3, {}, torch.tensor([[1.0, 0, 1], [0, 0, 0], [1, 1, 1], [0, 1, 0]])),
    (RegressionModule, 3, {}, torch.tensor([[0.5, -1, 2], [0, 0, 0], [1, 1, 1], [3, -2, 0]])),
]


@pytest.mark.parametrize("cls,n_out,kw,target", LOSS_CASES)
def test_each_loss_is_one_function_whose_reductions_agree(cls, n_out, kw, target):
    m = make(cls, n_out, **kw)
    z = LOGITS[:, :n_out]
    per_sample = m.loss(z, target, reduction="none")
    assert per_sample.shape == (4,)
    torch.testing.assert_close(m.loss(z, target), per_sample.mean())
    torch.testing.assert_close(m.loss(z, target, reduction="sum"), per_sample.sum())
    with pytest.raises(ValueError, match="max"):  # torch's message, or the head's own
        m.loss(z, target, reduction="max")


def test_the_registry_names_each_head_and_what_it_asks_of_the_data():
    from nnref.data.encoding import fit_target_encoder
    from nnref.tasks import HEADS

    assert list(HEADS) == ["regression", "binary", "multiclass", "multilabel"]
    assert HEADS["binary"].target_encoding() == "binary"
    assert HEADS["multiclass"].target_encoding(encoding="ordinal") == "ordinal"
    assert HEADS["regression"].target_encoding(output="sigmoid") == "minmax"
    assert HEADS["multilabel"].output_size(fit_target_encoder("multihot", [("a",), ("b", "c")])) == 3
    assert HEADS["multiclass"].output_size(fit_target_encoder("ordinal", ["x", "y", "z"])) == 1
    assert HEADS["binary"].fits("classes", 2) and not HEADS["binary"].fits("classes", 10)
    assert HEADS["multiclass"].fits("classes", 10) and not HEADS["multiclass"].fits("labels", None)
    assert {h.main_metric for h in HEADS.values()} == {"test/r2", "test/acc", "test/f1_macro"}


def test_an_unknown_option_is_refused_naming_the_heads_options():
    with pytest.raises(ValueError, match="task.encoding is not an option of task=binary; its options: none"):
        make(BinaryModule, 1, encoding="onehot")


@pytest.mark.parametrize("cls,n_out,kw,target", LOSS_CASES)
def test_a_head_fits_with_plain_dataloaders_and_no_nnref_data_module(cls, n_out, kw, target, tmp_path):
    import lightning as L
    from torch.utils.data import DataLoader, TensorDataset

    torch.manual_seed(0)
    x = torch.randn(32, 4)
    y = target.repeat(8, *([1] * (target.ndim - 1)))
    head = make(cls, n_out, **kw)
    trainer = L.Trainer(max_epochs=2, logger=False, enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False, default_root_dir=tmp_path)
    trainer.fit(head, DataLoader(TensorDataset(x, y), batch_size=8), DataLoader(TensorDataset(x, y), batch_size=16))
    assert trainer.global_step == 8
    assert "val/loss" in trainer.callback_metrics and "train/loss" in trainer.callback_metrics
    # Validation over two batches: the loss of the whole split, as if in one batch.
    with torch.no_grad():
        whole = head.loss(head(x), y)
    torch.testing.assert_close(trainer.callback_metrics["val/loss"], whole, rtol=1e-5, atol=1e-6)
    assert [row["epoch"] for row in head.history] == [0, 1]


@pytest.mark.parametrize("cls,n_out,kw,target", LOSS_CASES)
def test_each_head_computes_exactly_the_metrics_it_declares(cls, n_out, kw, target):
    m = make(cls, n_out, **kw)
    metrics = m.compute_metrics(LOGITS[:, :n_out], target)
    assert set(metrics) == set(cls.metrics) and all(torch.isfinite(torch.as_tensor(v)) for v in metrics.values())
    assert cls.main_metric.split("/", 1)[1] in {"loss", *cls.metrics}
