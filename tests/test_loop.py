"""nnref.loop: the plain loop trains what nnref-train trains, on the same batches, and stops on
divergence."""

import math

import torch

from nnref.data import TaskData, epoch_order
from nnref.loop import build, fit, train_epochs
from nnref.optim import GD, NAG


def data():
    return TaskData(
        source="iris", target_encoding="onehot", batching="mini", batch_size=16, seed=2
    ).load()


def test_fit_is_train_epochs_run_to_the_end():
    d = data()

    def trained(run):
        net, head = build("multiclass", d, (8,), seed=3)
        run(net, head, torch.optim.SGD(net.parameters(), lr=0.1))
        return [p.detach().clone() for p in net.parameters()]

    a = trained(lambda n, h, o: fit(n, h, d.x_train, d.y_train, o, 4, batch_size=16, seed=1))
    b = trained(
        lambda n, h, o: list(train_epochs(n, h, d.x_train, d.y_train, o, 4, batch_size=16, seed=1))
    )
    assert all(torch.equal(p, q) for p, q in zip(a, b))


def test_each_epoch_visits_the_rows_in_the_order_seed_and_epoch_give():
    d = data()
    net, head = build("multiclass", d, (8,), seed=0)
    seen = []

    original = head.loss

    def loss(logits, y, reduction="mean"):
        seen.append(len(y))
        return original(logits, y, reduction)

    head.loss = loss
    epochs = list(
        train_epochs(net, head, d.x_train, d.y_train, GD(net.parameters(), lr=0.1), 2, 16, seed=2)
    )
    assert [e.index for e in epochs] == [0, 1] and epochs[-1].steps == 2 * math.ceil(
        len(d.x_train) / 16
    )
    assert seen == [16] * 6 + [len(d.x_train) - 96] + [16] * 6 + [len(d.x_train) - 96]
    assert not torch.equal(epoch_order(len(d.x_train), 2, 0), epoch_order(len(d.x_train), 2, 1))


def test_the_epochs_train_loss_is_the_mean_of_the_batches_losses_before_their_updates():
    d = data()
    net, head = build("multiclass", d, (8,), seed=0)
    copy, _ = build("multiclass", d, (8,), seed=0)
    epoch = next(
        train_epochs(net, head, d.x_train, d.y_train, GD(net.parameters(), lr=0.1), 1, 16, seed=2)
    )
    opt, total = GD(copy.parameters(), lr=0.1), 0.0
    order = epoch_order(len(d.x_train), 2, 0)
    for i in range(0, len(order), 16):
        idx = order[i : i + 16]
        opt.zero_grad()
        loss = head.loss(copy(d.x_train[idx]), d.y_train[idx])
        loss.backward()
        opt.step()
        total += float(loss.detach()) * len(idx)
    assert abs(epoch.train_loss - total / len(d.x_train)) < 1e-6


def test_a_non_finite_loss_stops_the_loop_without_moving_any_weight():
    d = data()
    net, head = build("multiclass", d, (8,), seed=0)
    optimizer = NAG(net.parameters(), lr=0.1, momentum=0.9)
    list(train_epochs(net, head, d.x_train, d.y_train, optimizer, 1, 16, seed=2))  # some momentum
    before = [p.detach().clone() for p in net.parameters()]
    x = d.x_train.clone()
    x[0, 0] = float("inf")
    epochs = list(train_epochs(net, head, x, d.y_train, optimizer, 3, None, seed=2))
    assert len(epochs) == 1 and epochs[0].diverged and math.isnan(epochs[0].train_loss)
    # NAG went to its look-ahead point and back: one rounding.
    for a, b in zip(before, net.parameters()):
        torch.testing.assert_close(b.detach(), a, rtol=1e-6, atol=1e-7)
