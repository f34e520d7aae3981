import KalladCore
