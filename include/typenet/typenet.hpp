// typenet: a neural network is a type. Umbrella header.
#pragma once

#include "activation.hpp"
#include "config.hpp"
#include "dense.hpp"
#include "init.hpp"
#include "input.hpp"
#include "network.hpp"
#include "random.hpp"
#include "reference.hpp"
#include "summary.hpp"
#include "loss.hpp"
#include "optim.hpp"
#include "trainer.hpp"
#include "monitor.hpp"
#include "diagnostics.hpp"
#include "lsuv.hpp"
#include "repeat.hpp"
