print("The MNIST example is not written yet.")
