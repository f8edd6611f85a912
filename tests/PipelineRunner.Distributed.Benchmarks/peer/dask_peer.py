#!/usr/bin/python3
"""Dask peer benchmark for the .NET distributed pipeline runner.

Runs with Debian's interpreter (/usr/bin/python3) and Debian's python3-distributed.
Starts a LocalCluster (2 worker processes x 1 thread, bound to 127.0.0.1) and measures:

  * the "seed pattern" (a minimal re-implementation of Kedro's DaskRunner):
      - every node submitted with client.submit(_run_node, node, catalog, *dependency_futures)
      - inside the task inputs are loaded with worker_client() + client.get_dataset(name)
        and outputs saved with client.publish_dataset(data, name=..., override=True)
      - the driver iterates as_completed(futures, with_results=True), decrements load
        counts and calls client.unpublish_dataset(name) for datasets no longer needed
        (pipeline inputs/outputs are never released, as in Kedro)
  * plain Dask futures: the same DAGs as client.submit(func, *parent_futures)
  * named-dataset store throughput: scatter+publish_dataset ("publish"),
    get_dataset(name).result() ("fetch") and both together ("roundtrip").

DAGs (1,000 nodes each):
  chain : node i reads d{i}, writes d{i+1} (i = 0..999); d0 is published up front.
  fanout: source reads f_in (published up front) writes f_src; 998 middle nodes read f_src
          and write f_m{j}; one sink reads all 998 f_m{j} and writes f_out.

The last line of stdout is a single JSON object.  Logs go to stderr.

Usage:
  /usr/bin/python3 dask_peer.py [--quick] [--repeats N] [--warmup N] [--sizes 1,16,128,512]
                                [--skip-throughput] [--skip-nodes]
"""
import argparse
import gc
import json
import logging
import os
import platform
import statistics
import sys
import time
import traceback
from collections import Counter
from itertools import chain as iter_chain

import dask
import distributed
from distributed import Client, LocalCluster, as_completed, wait, worker_client

MIB = 1 << 20
N_NODES = 1000
TRANSFER_TIMEOUT_S = 120  # per scatter / per fetch; beyond this the size is recorded as null


def log(msg):
    print(f"[dask_peer {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------
# Seed pattern: minimal Kedro-like Node / catalog / DaskRunner (no Kedro dependency)
# --------------------------------------------------------------------------------------
class Node:
    """A pipeline node: a function + input dataset names + output dataset names."""

    def __init__(self, func, inputs, outputs, name):
        self.func = func
        self.inputs = list(inputs)
        self.outputs = list(outputs)
        self.name = name

    def run(self, inputs):
        result = self.func(*[inputs[n] for n in self.inputs])
        if len(self.outputs) == 1:
            return {self.outputs[0]: result}
        return dict(zip(self.outputs, result))

    def __repr__(self):
        return f"Node({self.name})"


class DaskDataset:
    """Mirror of kedro.runner.dask_runner._DaskDataset."""

    def __init__(self, name):
        self._name = name

    def load(self):
        try:
            with worker_client() as client:
                return client.get_dataset(self._name)
        except ValueError:  # not running inside a worker
            return Client.current().get_dataset(self._name)

    def save(self, data):
        with worker_client() as client:
            client.publish_dataset(data, name=self._name, override=True)

    def release(self):
        Client.current().unpublish_dataset(self._name)


class Catalog:
    """Minimal DataCatalog: one DaskDataset per dataset name (as Kedro's DaskRunner
    creates a _DaskDataset default dataset for every pipeline dataset). The whole
    catalog is pickled into every submitted task, as in Kedro."""

    def __init__(self, names):
        self._datasets = {n: DaskDataset(n) for n in names}

    def load(self, name):
        return self._datasets[name].load()

    def save(self, name, data):
        self._datasets[name].save(data)

    def release(self, name):
        self._datasets[name].release()


def run_node(node, catalog):
    """Mirror of kedro.runner.run_node (synchronous branch): load each input, run, save."""
    inputs = {name: catalog.load(name) for name in node.inputs}
    outputs = node.run(inputs)
    for name, data in outputs.items():
        catalog.save(name, data)
    return node


def _run_node(node, catalog, *dependencies):
    """Mirror of DaskRunner._run_node: dependencies only order the tasks."""
    return run_node(node, catalog)


class Pipeline:
    def __init__(self, nodes):
        self.nodes = nodes
        produced = {o for n in nodes for o in n.outputs}
        consumed = {i for n in nodes for i in n.inputs}
        self._inputs = consumed - produced
        self._outputs = produced - consumed
        producer = {o: n for n in nodes for o in n.outputs}
        self.node_dependencies = {
            n: [producer[i] for i in n.inputs if i in producer] for n in nodes
        }

    def inputs(self):
        return self._inputs

    def outputs(self):
        return self._outputs

    def dataset_names(self):
        return sorted(self._inputs | {o for n in self.nodes for o in n.outputs})


def seed_run(client, pipeline, catalog):
    """Mirror of DaskRunner._run (Kedro)."""
    nodes = pipeline.nodes
    load_counts = Counter(iter_chain.from_iterable(n.inputs for n in nodes))
    node_dependencies = pipeline.node_dependencies
    node_futures = {}
    for node in nodes:
        dependencies = (node_futures[d] for d in node_dependencies[node])
        node_futures[node] = client.submit(_run_node, node, catalog, *dependencies)

    pipe_inputs, pipe_outputs = pipeline.inputs(), pipeline.outputs()
    done = 0
    for _, node in as_completed(node_futures.values(), with_results=True):
        done += 1
        for ds in node.inputs:
            load_counts[ds] -= 1
            if load_counts[ds] < 1 and ds not in pipe_inputs:
                catalog.release(ds)
        for ds in node.outputs:
            if load_counts[ds] < 1 and ds not in pipe_outputs:
                catalog.release(ds)
    assert done == len(nodes)
    return node_futures


# Node functions (module level so they pickle by reference)
def inc(x):
    return x + 1


def ident_plus(x):
    return x + 1


def total(*xs):
    return sum(xs)


def build_chain(prefix="d"):
    nodes = [Node(inc, [f"{prefix}{i}"], [f"{prefix}{i + 1}"], f"chain_{i}") for i in range(N_NODES)]
    return Pipeline(nodes), f"{prefix}0", f"{prefix}{N_NODES}", N_NODES  # expected = 0 + N


def build_fanout(prefix="f"):
    n_mid = N_NODES - 2
    nodes = [Node(inc, [f"{prefix}_in"], [f"{prefix}_src"], "source")]
    for j in range(n_mid):
        nodes.append(Node(ident_plus, [f"{prefix}_src"], [f"{prefix}_m{j}"], f"mid_{j}"))
    nodes.append(Node(total, [f"{prefix}_m{j}" for j in range(n_mid)], [f"{prefix}_out"], "sink"))
    return Pipeline(nodes), f"{prefix}_in", f"{prefix}_out", n_mid * 2  # in=0 -> src=1 -> mid=2


def time_seed(client, builder):
    pipeline, in_name, out_name, expected = builder()
    catalog = Catalog(pipeline.dataset_names())
    client.publish_dataset(0, name=in_name, override=True)  # first input published up front
    t0 = time.perf_counter()
    futs = seed_run(client, pipeline, catalog)
    elapsed = time.perf_counter() - t0
    # verification + cleanup (outside the timed region)
    result = client.get_dataset(out_name)
    assert result == expected, (result, expected)
    leftover = set(client.list_datasets())
    for name in leftover:
        client.unpublish_dataset(name)
    del futs
    return elapsed, len(pipeline.nodes), sorted(leftover)


def time_futures_chain(client):
    t0 = time.perf_counter()
    futs = [client.submit(inc, 0, pure=False)]
    for _ in range(N_NODES - 1):
        futs.append(client.submit(inc, futs[-1], pure=False))
    wait(futs)
    result = futs[-1].result()
    elapsed = time.perf_counter() - t0
    assert result == N_NODES, result
    del futs
    return elapsed, N_NODES


def time_futures_fanout(client):
    n_mid = N_NODES - 2
    t0 = time.perf_counter()
    src = client.submit(inc, 0, pure=False)
    mids = [client.submit(ident_plus, src, pure=False) for _ in range(n_mid)]
    sink = client.submit(total, *mids, pure=False)
    wait([src, sink] + mids)
    result = sink.result()
    elapsed = time.perf_counter() - t0
    assert result == n_mid * 2, result
    del src, mids, sink
    return elapsed, N_NODES


def bench_nodes(client, repeats, warmup, out, notes):
    cases = [
        ("seed_chain_ms_per_node", lambda: time_seed(client, build_chain)),
        ("seed_fanout_ms_per_node", lambda: time_seed(client, build_fanout)),
        ("futures_chain_ms_per_node", lambda: time_futures_chain(client)),
        ("futures_fanout_ms_per_node", lambda: time_futures_fanout(client)),
    ]
    raw = {}
    for key, fn in cases:
        try:
            for w in range(warmup):
                r = fn()  # warm-up; the first one is the cold run
                if w == 0:
                    out[key.replace("_ms_per_node", "_cold_ms_per_node")] = round(r[0] * 1000.0 / r[1], 4)
                log(f"{key}: warm-up {w + 1}/{warmup} {r[0]:.2f}s")
            if key.startswith("seed") and r[2]:
                log(f"{key}: datasets still published after run (pipeline inputs/outputs): {r[2]}")
            samples = []
            for i in range(repeats):
                r = fn()
                samples.append(r[0] * 1000.0 / r[1])
                log(f"{key}: run {i + 1}/{repeats} {r[0]:.2f}s -> {samples[-1]:.3f} ms/node")
            out[key] = round(statistics.median(samples), 4)
            raw[key] = [round(s, 4) for s in samples]
        except Exception as e:  # record and continue
            out[key] = None
            notes.append(f"{key}: failed with {type(e).__name__}: {e}")
            log(traceback.format_exc())
        gc.collect()
    out["node_runs_ms_per_node"] = raw


# --------------------------------------------------------------------------------------
# Store throughput
# --------------------------------------------------------------------------------------
def make_payload(nbytes):
    pattern = bytes(range(256)) * 4096  # 1 MiB non-zero pattern
    whole, rest = divmod(nbytes, len(pattern))
    return pattern * whole + pattern[:rest]


def wait_key_forgotten(client, key, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        present = client.run_on_scheduler(lambda dask_scheduler, k=key: k in dask_scheduler.tasks)
        if not present:
            return True
        time.sleep(0.05)
    return False


def one_transfer(client, payload, name):
    """Returns (publish_s, fetch_s)."""
    t0 = time.perf_counter()
    fut = client.scatter(payload, hash=False, timeout=TRANSFER_TIMEOUT_S)
    client.publish_dataset(fut, name=name)
    t1 = time.perf_counter()
    got = client.get_dataset(name)
    data = got.result(timeout=TRANSFER_TIMEOUT_S)
    t2 = time.perf_counter()
    ok = len(data) == len(payload) and data[:64] == payload[:64] and data[-64:] == payload[-64:]
    key = fut.key
    del data, got
    client.unpublish_dataset(name)
    del fut
    wait_key_forgotten(client, key)
    if not ok:
        raise RuntimeError("fetched payload does not match")
    return t1 - t0, t2 - t1


def bench_throughput(client, sizes, repeats, out, notes):
    res = {}
    # small warm-up so connections / serializers are initialised
    one_transfer(client, make_payload(64 * 1024), "warmup")
    for size in sizes:
        entry = {"publish_mb_s": None, "fetch_mb_s": None, "roundtrip_mb_s": None}
        res[str(size)] = entry
        try:
            payload = make_payload(size * MIB)
        except MemoryError:
            notes.append(f"throughput {size} MB: MemoryError allocating payload on driver")
            continue
        pubs, fets, rts = [], [], []
        try:
            for i in range(repeats):
                p, f = one_transfer(client, payload, f"tp_{size}_{i}")
                pubs.append(p)
                fets.append(f)
                rts.append(p + f)
                log(f"throughput {size} MB run {i + 1}/{repeats}: publish {p:.3f}s fetch {f:.3f}s")
            entry["publish_mb_s"] = round(size / statistics.median(pubs), 2)
            entry["fetch_mb_s"] = round(size / statistics.median(fets), 2)
            entry["roundtrip_mb_s"] = round(size / statistics.median(rts), 2)
            entry["publish_s"] = [round(x, 4) for x in pubs]
            entry["fetch_s"] = [round(x, 4) for x in fets]
        except Exception as e:
            notes.append(f"throughput {size} MB: null because of {type(e).__name__}: {e}")
            log(traceback.format_exc())
            for name in list(client.list_datasets()):
                if name.startswith("tp_"):
                    client.unpublish_dataset(name)
        finally:
            del payload
            gc.collect()
            client.run(gc.collect)
    out["throughput"] = res


def main(argv=None):
    ap = argparse.ArgumentParser(description="Dask peer benchmark (seed pattern vs plain futures, named-dataset throughput)")
    ap.add_argument("--quick", action="store_true", help="repeats=1, sizes 1,16,128 (unless overridden)")
    ap.add_argument("--repeats", type=int, default=None, help="timed repeats per measurement (default 3; 1 with --quick)")
    ap.add_argument("--warmup", type=int, default=1, help="untimed runs before the timed ones, per node workload (default 1)")
    ap.add_argument("--sizes", type=str, default=None, help="comma-separated payload sizes in MB (MiB), default 1,16,128,512")
    ap.add_argument("--skip-throughput", action="store_true")
    ap.add_argument("--skip-nodes", action="store_true")
    args = ap.parse_args(argv)

    repeats = args.repeats if args.repeats is not None else (1 if args.quick else 3)
    if repeats < 1:
        ap.error("--repeats must be >= 1")
    if args.sizes:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    else:
        sizes = [1, 16, 128] if args.quick else [1, 16, 128, 512]

    notes = []
    out = {
        "dask_version": dask.__version__,
        "distributed_version": distributed.__version__,
        "python_version": platform.python_version(),
        "workers": 2,
        "threads_per_worker": 1,
        "nodes_per_dag": N_NODES,
        "repeats": repeats,
        "sizes_mb": sizes,
    }
    notes.append("ms_per_node = wall time of one whole DAG run / 1000 nodes; median of repeats after one warm-up run")
    notes.append("seed pattern: catalog holds one named-dataset object per dataset and is pickled into every task (as Kedro's DaskRunner); as_completed(with_results=True); driver unpublishes released datasets synchronously")
    notes.append("plain futures: client.submit(func, *parent_futures, pure=False); timed until all futures finished and final result fetched")
    notes.append("throughput: MB = 2^20 bytes; publish = client.scatter(bytes, hash=False) + publish_dataset; fetch = get_dataset(name).result(); roundtrip = publish+fetch per repeat; driver default direct_to_workers=None so scatter and gather are relayed through the scheduler; no warm-up per size (one 64 KiB warm-up transfer)")

    out["loadavg_start"] = [round(x, 2) for x in os.getloadavg()]
    if out["loadavg_start"][0] > 0.5:
        notes.append(f"machine not idle at start (1-min loadavg {out['loadavg_start'][0]}); other processes may distort timings")
    t_start = time.perf_counter()
    cluster = client = None
    logging.getLogger("distributed").setLevel(logging.WARNING)
    try:
        cluster = LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            scheduler_port=0,
            dashboard_address=None,
        )
        client = Client(cluster)
        client.wait_for_workers(2)
        out["worker_memory_limit_bytes"] = [
            getattr(getattr(w, "memory_manager", None), "memory_limit", None) for w in cluster.workers.values()
        ]
        if not args.skip_nodes:
            bench_nodes(client, repeats, max(1, args.warmup), out, notes)
        if not args.skip_throughput:
            bench_throughput(client, sizes, repeats, out, notes)
    except Exception as e:
        notes.append(f"fatal: {type(e).__name__}: {e}")
        log(traceback.format_exc())
    finally:
        try:
            if client is not None:
                client.close()
        finally:
            if cluster is not None:
                cluster.close()
    out["total_wall_s"] = round(time.perf_counter() - t_start, 2)
    out["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    out["notes"] = notes
    sys.stdout.flush()
    print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
