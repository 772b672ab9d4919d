// The features of the CPU this program runs on (typenet::cpu_features()): one file per processor family,
// chosen here at include level.
#pragma once

#if defined(__x86_64__) || defined(__i386__)
#include "cpu_x86.hpp"
#elif defined(__aarch64__)
#include "cpu_arm.hpp"
#else
#include "cpu_other.hpp"
#endif
