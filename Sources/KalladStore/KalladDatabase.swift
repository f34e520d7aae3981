import GRDB
import KalladCore
