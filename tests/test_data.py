"""nnref.data: encoders round-trip, splits are stratified and seeded, statistics come from train
only, and the batching modes give 1, ceil(n/B) and n updates per epoch."""

import math

import numpy as np
import pytest
import torch

from nnref.data import BATCHINGS, Batches, TaskData, encoding, epoch_order, stratified_split
from nnref.data.module import TaskDataModule
from nnref.data.sources import load


def roundtrip(enc):
    return encoding.encoder_from_dict(enc.to_dict())


def test_binary_encoder_round_trip():
    enc = encoding.BinaryEncoder.fit(["red", "black", "red"])
    assert enc.classes == ["black", "red"]
    codes = enc.encode(["red", "black"])
    assert codes.tolist() == [1.0, 0.0]
    assert roundtrip(enc).decode([0.9, 0.1]) == ["red", "black"]


def test_onehot_encoder_round_trip_and_vectors():
    enc = encoding.OneHotEncoder.fit(["Seoul", "Daejeon", "Busan", "Seoul"])
    idx = enc.encode(["Seoul", "Busan"])
    assert roundtrip(enc).decode(idx) == ["Seoul", "Busan"]
    one_hot = torch.nn.functional.one_hot(
        torch.from_numpy(enc.encode(["Busan", "Seoul"])), len(enc.classes)
    )
    np.testing.assert_array_equal(one_hot.numpy(), [[1, 0, 0], [0, 0, 1]])


def test_ordinal_codes_are_one_half_zero_for_three_classes():
    enc = encoding.OrdinalEncoder(["red", "yellow", "blue"])
    np.testing.assert_allclose(enc.codes, [1.0, 0.5, 0.0])
    np.testing.assert_allclose(enc.codes[enc.encode(["blue", "red", "yellow"])], [0.0, 1.0, 0.5])
    assert isinstance(roundtrip(enc), encoding.OrdinalEncoder)


def test_multihot_round_trip_and_empty_set():
    sets = [("cat", "dog"), (), ("dog",)]
    enc = encoding.MultiHotEncoder.fit(sets, sep="|")
    m = enc.encode(sets)
    np.testing.assert_array_equal(m, [[1, 1], [0, 0], [0, 1]])
    assert roundtrip(enc).decode(m) == ["cat|dog", "", "dog"]


@pytest.mark.parametrize("mode", ["standard", "minmax"])
def test_target_scaler_maps_back_exactly(mode):
    y = np.array([25.0, 100.0, 346.0, 150.0])
    enc = encoding.TargetScaler.fit(y, mode)
    z = enc.encode(y)
    if mode == "minmax":
        assert z.min() == 0.0 and z.max() == 1.0
    back = roundtrip(enc).decode(z.astype(np.float64))
    np.testing.assert_allclose(back.ravel(), y, rtol=1e-6)
    t = roundtrip(enc).decode(torch.from_numpy(z).double())
    torch.testing.assert_close(t.ravel(), torch.from_numpy(y), rtol=1e-6, atol=1e-4)


def test_feature_encoder_standardises_and_one_hots_and_warns_on_unseen():
    table = {
        "x": np.array([1.0, 2.0, 3.0]),
        "city": np.array(["Seoul", "Daejeon", "Seoul"], dtype=object),
    }
    enc = roundtrip(encoding.FeatureEncoder.fit(table))
    out = enc.encode(table)
    assert out.shape == (3, 3)
    np.testing.assert_allclose(out[:, 0].mean(), 0.0, atol=1e-6)
    np.testing.assert_array_equal(out[:, 1:], [[0, 1], [1, 0], [0, 1]])
    with pytest.warns(encoding.UnseenCategoryWarning, match="city.*Busan"):
        unseen = enc.encode({"x": np.array([2.0]), "city": np.array(["Busan"], dtype=object)})
    np.testing.assert_array_equal(unseen[0, 1:], [0, 0])


def test_stratified_split_keeps_class_proportions_and_is_seeded():
    labels = np.array(["a"] * 80 + ["b"] * 20)
    train, val, test = stratified_split(len(labels), labels, (0.15, 0.15), seed=3)
    assert len(set(train) | set(val) | set(test)) == 100
    assert not set(train) & set(val) and not set(train) & set(test) and not set(val) & set(test)
    assert (labels[val] == "b").sum() == 3 and (labels[test] == "b").sum() == 3
    again = stratified_split(len(labels), labels, (0.15, 0.15), seed=3)
    assert all((a == b).all() for a, b in zip((train, val, test), again))


def test_standardisation_uses_train_statistics_only():
    dm = TaskData(source="breast_cancer", target_encoding="binary", seed=1).load()
    src = load("breast_cancer")
    train = dm.split_index["train"]
    first = next(iter(src.table))
    col = src.table[first]
    expected = (col - col[train].mean()) / col[train].std()
    np.testing.assert_allclose(dm.x_train[:, 0].numpy(), expected[train], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(
        dm.x_test[:, 0].numpy(), expected[dm.split_index["test"]], rtol=1e-5, atol=1e-5
    )
    # ...and so the validation/test columns are not exactly centred, while train is.
    assert abs(float(dm.x_train[:, 0].mean())) < 1e-5
    assert abs(float(dm.x_test[:, 0].mean())) > 1e-4


@pytest.mark.parametrize(
    "batching,expected",
    [
        ("full", lambda n, b: 1),
        ("mini", lambda n, b: math.ceil(n / b)),
        ("stochastic", lambda n, b: n),
    ],
)
def test_batching_modes_give_1_ceil_n_over_b_and_n_updates(batching, expected):
    dm = TaskData(source="iris", target_encoding="onehot", batching=batching, batch_size=16).load()
    n = len(dm.x_train)
    batches = dm.train_batches()  # one (x, y) batch per item, as a DataLoader gives them
    got = list(batches)
    assert len(got) == len(batches) == expected(n, 16)
    assert sum(len(x) for x, _ in got) == n
    assert all(len(x) == len(y) for x, y in got)


def test_shuffle_is_seeded_by_seed_and_epoch():
    x = torch.arange(20.0)[:, None]
    epoch = {"e": 0}
    b = Batches(x, x, 5, shuffle=True, seed=7, epoch_fn=lambda: epoch["e"])
    first = torch.cat([xb for xb, _ in b])
    again = torch.cat([xb for xb, _ in b])
    epoch["e"] = 1
    other = torch.cat([xb for xb, _ in b])
    assert torch.equal(first, again) and not torch.equal(first, other)
    assert sorted(other.ravel().tolist()) == list(range(20))


def test_ddp_shards_partition_every_batch_including_full():
    x = torch.arange(11.0)[:, None]
    for bs in (11, 4, 1):
        r0 = list(Batches(x, x, bs, shuffle=True, seed=0, rank=0, world_size=2))
        r1 = list(Batches(x, x, bs, shuffle=True, seed=0, rank=1, world_size=2))
        assert len(r0) == len(r1) == math.ceil(11 / bs)
        whole = list(Batches(x, x, bs, shuffle=True, seed=0))
        for (a, _), (b, _), (w, _) in zip(r0, r1, whole):
            assert sorted(a.ravel().tolist() + b.ravel().tolist()) == sorted(w.ravel().tolist())
            assert abs(len(a) - len(b)) <= 1


def test_digits_multilabel_is_seeded_and_has_one_to_three_labels():
    a = load("digits_multilabel", n_samples=50, seed=1)
    b = load("digits_multilabel", n_samples=50, seed=1)
    assert a.target == b.target
    assert all(1 <= len(t) <= 3 for t in a.target)
    assert len(a.table) == 8 * 24


def test_lecture_sets_have_nominal_labels():
    assert set(load("lecture_binary").target) == {"red", "black"}
    assert set(load("lecture_multiclass").target) == {"red", "yellow", "blue"}


def test_the_data_module_is_a_shell_whose_batches_are_the_datas_own():
    dm = TaskDataModule(
        source="iris", target_encoding="onehot", batching="mini", batch_size=16, seed=3
    )
    dm.setup()

    class Trainer:  # what the data module reads of Lightning's Trainer
        current_epoch, global_rank, world_size, overfit_batches = 2, 0, 1, 0

    dm.trainer = Trainer()
    ours = [x for x, _ in dm.train_dataloader()]
    data = TaskData(
        source="iris", target_encoding="onehot", batching="mini", batch_size=16, seed=3
    ).load()
    order = epoch_order(len(data.x_train), 3, 2)  # the order every loop draws from (seed, epoch)
    expected = [data.x_train[order[i : i + 16]] for i in range(0, len(order), 16)]
    assert all(torch.equal(a, b) for a, b in zip(ours, expected)) and len(ours) == len(expected)


def test_the_batchings_table_gives_each_its_batch_size_and_lr_scale():
    assert [BATCHINGS[b].batch_size(100, 32) for b in ("full", "mini", "stochastic")] == [
        100,
        32,
        1,
    ]
    assert (
        BATCHINGS["stochastic"].lr_scale == 0.1
        and BATCHINGS["full"].lr_scale == BATCHINGS["mini"].lr_scale == 1
    )
    assert not BATCHINGS["full"].shuffled and BATCHINGS["mini"].shuffled


def test_bad_data_settings_are_refused_naming_the_key():
    with pytest.raises(ValueError, match="data.batch_size=0"):
        TaskData(batch_size=0)
    with pytest.raises(ValueError, match="batching=huge: unknown; valid: full, mini, stochastic"):
        TaskData(batching="huge")
