@_exported import Tensor
@_exported import NN
@_exported import Optim
@_exported import TrainState
@_exported import Datasets
