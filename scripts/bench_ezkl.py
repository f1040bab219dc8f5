"""One EZKL measurement for scripts/bench-ezkl.sh: an ONNX model of y = A·x (an n×n MatMul of
random floats) proved with EZKL's Python API and default settings, in this process, so its
peak memory is this size's. Prints one line."""

import asyncio
import inspect
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

import ezkl
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


async def call(step, *args):
    """EZKL's calibration, witness and SRS steps are coroutines in some releases, and its
    arguments are strings, not paths."""
    result = step(*(str(a) if isinstance(a, Path) else a for a in args))
    return await result if inspect.isawaitable(result) else result


def model(n: int, a: np.ndarray, path: Path) -> None:
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, n])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, n])
    weights = numpy_helper.from_array(a.T.astype(np.float32), name="A_t")
    graph = helper.make_graph([helper.make_node("MatMul", ["x", "A_t"], ["y"])], "matvec", [x], [y], [weights])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), str(path))


async def measure(n: int, work: Path) -> dict:
    rng = np.random.default_rng(n)
    a = rng.uniform(-1, 1, (n, n))
    x = rng.uniform(-1, 1, n)
    onnx_path, data = work / "matvec.onnx", work / "input.json"
    settings, compiled, srs = work / "settings.json", work / "model.compiled", work / "kzg.srs"
    witness, pk, vk, proof = work / "witness.json", work / "pk.key", work / "vk.key", work / "proof.json"
    model(n, a, onnx_path)
    data.write_text(json.dumps({"input_data": [x.astype(np.float32).tolist()]}))
    assert await call(ezkl.gen_settings, onnx_path, settings)
    await call(ezkl.calibrate_settings, data, onnx_path, settings, "resources")
    assert await call(ezkl.compile_circuit, onnx_path, compiled, settings)
    logrows = json.loads(settings.read_text())["run_args"]["logrows"]
    await call(ezkl.gen_srs, srs, logrows)
    await call(ezkl.gen_witness, data, compiled, witness, None, srs)
    started = time.perf_counter()
    assert await call(ezkl.setup, compiled, vk, pk, srs)
    setup_s = time.perf_counter() - started
    started = time.perf_counter()
    await call(ezkl.prove, witness, compiled, pk, proof, srs)
    prove_s = time.perf_counter() - started
    started = time.perf_counter()
    assert await call(ezkl.verify, proof, settings, vk, srs)
    verify_s = time.perf_counter() - started
    return {"n": n, "logrows": logrows, "setup_s": setup_s, "prove_s": prove_s, "verify_s": verify_s}


def main() -> None:
    n = int(sys.argv[1])
    with tempfile.TemporaryDirectory() as work:
        r = asyncio.run(measure(n, Path(work)))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"EZKL {ezkl.__version__} {n}x{n} (2^{r['logrows']} rows): "
          f"setup {r['setup_s']:.2f} s, prove {r['prove_s']:.2f} s ({n * n / r['prove_s']:,.0f} MACs/s), "
          f"verify {r['verify_s'] * 1000:.1f} ms, peak RSS {peak:.0f} MiB")


if __name__ == "__main__":
    main()
