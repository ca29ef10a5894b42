"""Reference for bench/search.ts: Optuna's TPESampler on Branin, Hartmann-6 and a noisy sphere.

Usage: python3 bench/search_reference.py SEEDS TRIALS REPEATS [--independent]

Same functions, boxes, budgets and seeds as ours. Prints one JSON object on its last line:
seconds per ask (median over repeats; time spent in ask + suggest + tell, not in the objective)
and, per function, the mean regret over seeds (true value at the best observed trial minus the
known optimum).
"""

import json
import math
import sys
import time

import numpy as np
import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)


def branin(x):
    x1, x2 = x
    b = 5.1 / (4 * math.pi**2)
    c = 5 / math.pi
    t = 1 / (8 * math.pi)
    return (x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


H6_ALPHA = [1.0, 1.2, 3.0, 3.2]
H6_A = [
    [10, 3, 17, 3.5, 1.7, 8],
    [0.05, 10, 17, 0.1, 8, 14],
    [3, 3.5, 1.7, 10, 17, 8],
    [17, 8, 0.05, 10, 0.1, 14],
]
H6_P = [
    [1312, 1696, 5569, 124, 8283, 5886],
    [2329, 4135, 8307, 3736, 1004, 9991],
    [2348, 1451, 3522, 2883, 3047, 6650],
    [4047, 8828, 8732, 5743, 1091, 381],
]


def hartmann6(x):
    total = 0.0
    for i in range(4):
        inner = sum(H6_A[i][j] * (x[j] - H6_P[i][j] * 1e-4) ** 2 for j in range(6))
        total += H6_ALPHA[i] * math.exp(-inner)
    return -total


def sphere(x):
    return sum(v * v for v in x)


FUNCTIONS = [
    ("branin", [-5, 0], [10, 15], 0.39788735772973816, 0.0, branin),
    ("hartmann6", [0] * 6, [1] * 6, -3.322368011415515, 0.0, hartmann6),
    ("noisy_sphere", [-5] * 4, [5] * 4, 0.0, 0.5, sphere),
]


def run(seeds, trials, independent):
    regrets = {}
    per_seed = {}
    sampler_seconds = 0.0
    asks = 0
    for name, low, high, optimum, noise, f in FUNCTIONS:
        total = 0.0
        per_seed[name] = []
        for seed in range(seeds):
            kwargs = {"multivariate": False} if independent else {}
            study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed, **kwargs))
            noise_rng = np.random.RandomState(1000 + seed)
            best_obs, best_true = math.inf, math.inf
            for _ in range(trials):
                t0 = time.perf_counter()
                trial = study.ask()
                x = [trial.suggest_float(f"x{j}", low[j], high[j]) for j in range(len(low))]
                sampler_seconds += time.perf_counter() - t0
                y = f(x) + (noise * noise_rng.normal() if noise > 0 else 0.0)
                t0 = time.perf_counter()
                study.tell(trial, y)
                sampler_seconds += time.perf_counter() - t0
                asks += 1
                if y < best_obs:
                    best_obs, best_true = y, f(x)
            total += best_true - optimum
            per_seed[name].append(best_true - optimum)
        regrets[name] = total / seeds
    return sampler_seconds / asks, regrets, per_seed


def main():
    seeds, trials, repeats = (int(a) for a in sys.argv[1:4])
    independent = "--independent" in sys.argv
    per_ask = []
    regrets = per_seed = None
    for r in range(repeats):
        seconds, regrets, per_seed = run(seeds, trials, independent)
        per_ask.append(seconds)
        print(f"reference repeat {r}: {seconds * 1e3:.3f} ms per ask", file=sys.stderr)
    per_ask.sort()
    mid = len(per_ask) // 2
    median = per_ask[mid] if len(per_ask) % 2 else (per_ask[mid - 1] + per_ask[mid]) / 2
    print(
        json.dumps(
            {
                "optuna": optuna.__version__,
                "multivariate": not independent,
                "seconds_per_ask": median,
                "regret": regrets,
                "regret_by_seed": per_seed,
            }
        )
    )


if __name__ == "__main__":
    main()
