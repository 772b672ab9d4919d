// Small timing harness shared by the benchmarks: pin to one core, interleave the contenders in every
// repetition (so machine noise hits all of them alike), report median and minimum per call.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include <sched.h>

#include <typenet/simd.hpp>

namespace bench {

// Keeps a value alive without a function call: the compiler must assume the asm reads it.
template <class T>
inline void escape(const T& value) {
    asm volatile("" : : "r"(&value) : "memory");
}

inline int pin_to_core(int core) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(core, &set);
    return sched_setaffinity(0, sizeof set, &set) == 0 ? core : -1;
}

struct timing {
    double median_ns = 0, min_ns = 0;
};

inline timing summarize(std::vector<double> samples) {
    std::sort(samples.begin(), samples.end());
    return {samples[samples.size() / 2], samples.front()};
}

// Runs `run(calls)` once to warm up, then `repetitions` times, returning per-call nanoseconds.
template <class Run>
double time_per_call(Run&& run, int calls) {
    const auto start = std::chrono::steady_clock::now();
    run(calls);
    const auto stop = std::chrono::steady_clock::now();
    return std::chrono::duration<double, std::nano>(stop - start).count() / calls;
}

// Any number of contenders, timed alternately in every repetition (so machine noise hits all of them
// alike): run(calls) for each, per-call nanoseconds, in the order given.
template <class... Runs>
std::array<timing, sizeof...(Runs)> interleaved_all(int repetitions, int calls, Runs&&... runs) {
    std::array<std::vector<double>, sizeof...(Runs)> samples;
    for (int r = 0; r < repetitions; ++r) {
        std::size_t i = 0;
        (samples[i++].push_back(time_per_call(runs, calls)), ...);
    }
    std::array<timing, sizeof...(Runs)> result;
    for (std::size_t i = 0; i < sizeof...(Runs); ++i) result[i] = summarize(samples[i]);
    return result;
}

// Two contenders, ours(calls) and theirs(calls): per-call nanoseconds divided by `per` (the work items of
// a call).
template <class Ours, class Theirs>
std::pair<timing, timing> interleaved(int repetitions, int calls, Ours&& ours, Theirs&& theirs, double per = 1) {
    const auto [a, b] = interleaved_all(repetitions, calls, ours, theirs);
    return {{a.median_ns / per, a.min_ns / per}, {b.median_ns / per, b.min_ns / per}};
}

// A parameter tensor view in PyTorch's row-major order, as the peers' constructors take it.
template <class View>
std::vector<float> logical(View view) {
    std::vector<float> values(View::size);
    for (std::size_t i = 0; i < View::size; ++i) values[i] = view[i];
    return values;
}

// name, ours (median, min), theirs (median, min), ratios of medians and of minima.
inline void print_comparison(const char* name, int name_width, timing a, timing b) {
    std::printf("%-*s %9.1f %9.1f   %9.1f %9.1f   %6.2f %6.2f", name_width, name, a.median_ns, a.min_ns, b.median_ns, b.min_ns,
                a.median_ns / b.median_ns, a.min_ns / b.min_ns);
}

struct options {
    int repetitions = 301;
    bool quick = false;
};

inline options parse(int argc, char** argv) {
    options result;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--quick")) {
            result.quick = true;
            result.repetitions = 3;
        } else if (!std::strcmp(argv[i], "--repetitions") && i + 1 < argc) {
            result.repetitions = std::atoi(argv[++i]);
        } else {
            std::fprintf(stderr, "usage: %s [--quick] [--repetitions N]\n", argv[0]);
            std::exit(2);
        }
    }
    return result;
}

// Peak multiply-adds per nanosecond of one core with the widest vectors the build enables: more independent
// FMA chains than latency x ports on current x86 cores, so throughput, not latency, is measured.
template <class Batch>
double fma_peak_per_ns(int repetitions) {
    // Few enough chains to stay in registers: 12 of the 16 vector registers of SSE/AVX2 (24 of them spilled
    // to the stack, and the probe measured the spills), 24 of AVX-512's 32.
    static constexpr int chains = sizeof(Batch) == 64 ? 24 : 12, iterations = 20000;
    std::vector<double> samples;
    for (int r = 0; r < repetitions; ++r)
        samples.push_back(time_per_call(
            [](int n) {
                // Local accumulators, escaped once at the end, so they live in registers; typenet's fma
                // (xsimd 8.1 spells AVX-512 fma as mul + add, which clang does not fuse). Fully unrolled: g++ otherwise
                // keeps the array in memory.
                Batch acc[chains];
                for (int c = 0; c < chains; ++c) acc[c] = Batch(float(c) * 1e-3f);
                // Read from volatiles: as constants, g++ makes them a memory operand of every FMA, a form
                // that does not reach the peak on Zen.
                volatile float a_value = 0.999f, b_value = 1e-4f;
                const Batch a(a_value), b(b_value);
                for (int i = 0; i < n; ++i) {
#pragma GCC unroll 24
                    for (int c = 0; c < chains; ++c) acc[c] = typenet::simd::fma(acc[c], a, b);
                }
                for (int c = 0; c < chains; ++c) escape(acc[c]);
            },
            iterations));
    return double(chains * Batch::size) / summarize(samples).min_ns;
}

}  // namespace bench
