print("The benchmarks are not written yet.")
