"""Benchmark hnswlib or FAISS HNSW on the dataset `vectorize gen` wrote.

Usage: /usr/bin/python3 ann_bench.py hnswlib|faiss DIR M EFC EF1,EF2,... REPS [INDEX]
With INDEX (hnswlib only), a saved index there is loaded instead of built,
or the built one is saved there.
Prints one JSON line per measurement, in the same shape as `vectorize run`.
Cosine: hnswlib's "cosine" space; FAISS IndexHNSWFlat with inner product on
normalized vectors (what cosine is).
"""
import json, os, resource, sys, time

import numpy as np


def rss():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def main():
    lib, d, m, efc, efs, reps = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], int(sys.argv[6])
    meta = json.load(open(os.path.join(d, "meta.json")))
    n, dim, nq, k = meta["N"], meta["Dim"], meta["Queries"], meta["K"]
    data = np.fromfile(os.path.join(d, "data.f32"), dtype="<f4").reshape(n, dim)
    queries = np.fromfile(os.path.join(d, "queries.f32"), dtype="<f4").reshape(nq, dim)
    gt = np.fromfile(os.path.join(d, "gt.i32"), dtype="<i4").reshape(nq, k)
    threads = os.cpu_count()

    def emit(v):
        v["lib"] = lib
        print(json.dumps(v), flush=True)

    if lib == "faiss":
        import faiss
        data = data / np.linalg.norm(data, axis=1, keepdims=True)
        queries = queries / np.linalg.norm(queries, axis=1, keepdims=True)
        data = np.ascontiguousarray(data, dtype="f4")
        queries = np.ascontiguousarray(queries, dtype="f4")
        rss0 = rss()
        t, c = time.perf_counter(), time.process_time()
        idx = faiss.IndexHNSWFlat(dim, m, faiss.METRIC_INNER_PRODUCT)
        idx.hnsw.efConstruction = efc
        faiss.omp_set_num_threads(threads)
        idx.add(data)
        build, build_cpu = time.perf_counter() - t, time.process_time() - c

        def search(q, ef, nthreads):
            idx.hnsw.efSearch = ef
            faiss.omp_set_num_threads(nthreads)
            return idx.search(q, k)[1]
    elif len(sys.argv) > 7 and os.path.exists(sys.argv[7]):
        # A saved hnswlib index: query-only passes.
        import hnswlib
        t = time.perf_counter()
        idx = hnswlib.Index(space="cosine", dim=dim)
        idx.load_index(sys.argv[7], max_elements=n)
        emit({"what": "load", "seconds": time.perf_counter() - t})
        build = None

        def search(q, ef, nthreads):
            idx.set_ef(ef)
            return idx.knn_query(q, k=k, num_threads=nthreads)[0]
    else:
        import hnswlib
        rss0 = rss()
        t, c = time.perf_counter(), time.process_time()
        idx = hnswlib.Index(space="cosine", dim=dim)
        idx.init_index(max_elements=n, M=m, ef_construction=efc, random_seed=1)
        idx.add_items(data, np.arange(n), num_threads=threads)
        build, build_cpu = time.perf_counter() - t, time.process_time() - c

        def search(q, ef, nthreads):
            idx.set_ef(ef)
            return idx.knn_query(q, k=k, num_threads=nthreads)[0]

    if len(sys.argv) > 7 and lib == "hnswlib" and build is not None:
        idx.save_index(sys.argv[7])
    if build is not None:
        emit({"what": "build", "n": n, "dim": dim, "M": m, "efConstruction": efc, "seconds": build, "cpu_seconds": build_cpu,
              "threads": threads, "memory_bytes": rss() - rss0})
    for ef in [int(x) for x in efs.split(",")]:
        best1 = bestn = bestcpu = 0.0
        for _ in range(reps):
            t, c = time.perf_counter(), time.process_time()
            labels = search(queries, ef, 1)
            best1 = max(best1, nq / (time.perf_counter() - t))
            bestcpu = max(bestcpu, nq / (time.process_time() - c))
            t = time.perf_counter()
            search(queries, ef, threads)
            bestn = max(bestn, nq / (time.perf_counter() - t))
        hit = sum(len(set(a.tolist()) & set(b.tolist())) for a, b in zip(labels, gt))
        emit({"what": "search", "ef": ef, "recall": hit / (nq * k), "qps_1": best1, "qps_cpu": bestcpu, "qps_all": bestn,
              "threads": threads})


if __name__ == "__main__":
    main()
