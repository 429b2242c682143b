"""The steps of one iteration, in the order the tutorials show them.

forward-1 … forward-L, loss, backward-L … backward-1, update.
"""

from __future__ import annotations

from dataclasses import dataclass

FORWARD = "forward"
LOSS = "loss"
BACKWARD = "backward"
UPDATE = "update"


@dataclass(frozen=True)
class Step:
    kind: str  # FORWARD, LOSS, BACKWARD or UPDATE
    layer: int | None  # 1..L for forward and backward, None otherwise

    @property
    def key(self) -> str:
        """The spec's name of the step, e.g. 'forward-1', 'loss'."""
        return f"{self.kind}-{self.layer}" if self.layer is not None else self.kind


def iteration_steps(weight_layer_count: int) -> tuple[Step, ...]:
    L = weight_layer_count
    return (
        tuple(Step(FORWARD, layer) for layer in range(1, L + 1))
        + (Step(LOSS, None),)
        + tuple(Step(BACKWARD, layer) for layer in range(L, 0, -1))
        + (Step(UPDATE, None),)
    )


def layer_role(layer: int, weight_layer_count: int) -> str:
    """'the output layer', 'the hidden layer' or 'hidden layer 2'."""
    if layer == weight_layer_count:
        return "the output layer"
    if weight_layer_count == 2:
        return "the hidden layer"
    return f"hidden layer {layer}"


def describe_step(step: Step, weight_layer_count: int) -> str:
    """The step in words, as the window's caption shows it."""
    if step.kind == FORWARD:
        assert step.layer is not None
        role = layer_role(step.layer, weight_layer_count)
        return f"forward {step.layer}: net input z and activation a of {role}"
    if step.kind == LOSS:
        return "loss: compare the outputs with the targets"
    if step.kind == BACKWARD:
        assert step.layer is not None
        role = layer_role(step.layer, weight_layer_count)
        return f"backward {step.layer}: error signal δ of {role} and the gradients into it"
    return "update: every weight and bias moves against its gradient"


def plural(count: int, word: str, words: str | None = None) -> str:
    """'1 update', '2 updates', '1,000 rows': the count and the word that agrees with it."""
    return f"{count:,} {word if count == 1 else words or word + 's'}"


def describe_position(
    iteration: int, step: Step | None, weight_layer_count: int, diverged: bool = False
) -> str:
    """The position in words, numbered from 1 as everything people read is:
    'Iteration 3 · backward 2: error signal δ of …' (``iteration`` is 0-based)."""
    number = iteration + 1
    if step is None:
        if iteration == 0:
            what = "start: inputs and initial parameters; press → to compute"
        else:
            what = f"start: parameters after {plural(iteration, 'update')}"
        return f"Iteration {number:,} · {what}"
    text = f"Iteration {number:,} · {describe_step(step, weight_layer_count)}"
    if step.kind == UPDATE and diverged:
        text += " — diverged: some values are no longer finite"
    return text
