// Threads: forward and forward_batch are const and touch nothing but the parameters and their own stack,
// so any number of threads may run them on one network; a trainer owns its state, so threads may train
// their own copies side by side. CI runs this file under ThreadSanitizer (clang-19), which reports any data
// race; the assertions check that every thread computed exactly what one thread computes alone.
#include <doctest/doctest.h>

#include <typenet/typenet.hpp>

#include <array>
#include <atomic>
#include <cstddef>
#include <memory>
#include <thread>
#include <vector>

using namespace typenet;

namespace {

using Net = network<input<12>, dense<48, he_uniform>, relu, dense<32>, typenet::tanh, dense<5>>;
constexpr std::size_t batch_size = 16;
using Trainer = trainer<Net, mse, adam, batch_size>;

Net::input_type sample(std::size_t index) {
    Net::input_type x;
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = float((index * 13 + i * 7) % 23) / 11.0f - 1.0f;
    return x;
}

struct data_set {
    Trainer::input_batch inputs;
    Trainer::target_batch targets;
    explicit data_set(std::size_t seed) {
        for (std::size_t b = 0; b < batch_size; ++b) {
            inputs[b] = sample(seed * 100 + b);
            for (std::size_t o = 0; o < Net::output_size; ++o) targets[b][o] = float((seed + b + o) % 7) / 7.0f - 0.5f;
        }
    }
};

// What one thread alone computes: the reference every concurrent result must match bit for bit.
void train(Net& net, std::size_t seed, int steps) {
    auto trainer = std::make_unique<Trainer>(adam{.lr = 1e-2f});
    const auto data = std::make_unique<data_set>(seed);
    for (int s = 0; s < steps; ++s) trainer->step(net, data->inputs, data->targets);
}

constexpr std::size_t readers = 6, writers = 3, rounds = 40, samples = 64;

}  // namespace

TEST_CASE("many threads run forward and forward_batch on one const network while others train copies") {
    auto shared = std::make_unique<Net>();
    shared->initialize(7);
    const Net& network = *shared;

    // Expected results, computed on this thread before any other starts.
    auto inputs = std::make_unique<std::array<Net::input_type, samples>>();
    auto expected = std::make_unique<std::array<Net::output_type, samples>>();
    auto expected_batch = std::make_unique<std::array<Net::output_type, samples>>();  // other kernels: other rounding
    for (std::size_t s = 0; s < samples; ++s) {
        (*inputs)[s] = sample(s);
        (*expected)[s] = network(sample(s));
    }
    network.forward_batch(*inputs, *expected_batch);
    std::vector<std::unique_ptr<Net>> trained(writers);
    for (std::size_t w = 0; w < writers; ++w) {
        trained[w] = std::make_unique<Net>(network);
        train(*trained[w], w, 25);
    }

    std::atomic<std::size_t> forward_mismatches{0}, batch_mismatches{0}, forward_calls{0};
    std::vector<std::unique_ptr<Net>> copies(writers);
    std::vector<std::thread> threads;
    std::atomic<bool> go{false};
    for (std::size_t r = 0; r < readers; ++r)
        threads.emplace_back([&, r] {
            while (!go.load()) std::this_thread::yield();
            auto outputs = std::make_unique<std::array<Net::output_type, samples>>();
            for (std::size_t round = 0; round < rounds; ++round) {
                if ((round + r) % 2 == 0) {
                    for (std::size_t s = 0; s < samples; ++s) {
                        Net::output_type y;
                        network.forward((*inputs)[s], y);
                        forward_calls.fetch_add(1, std::memory_order_relaxed);
                        if (y != (*expected)[s]) forward_mismatches.fetch_add(1);
                    }
                } else {
                    network.forward_batch(*inputs, *outputs);
                    for (std::size_t s = 0; s < samples; ++s)
                        if ((*outputs)[s] != (*expected_batch)[s]) batch_mismatches.fetch_add(1);
                }
            }
        });
    for (std::size_t w = 0; w < writers; ++w)
        threads.emplace_back([&, w] {
            while (!go.load()) std::this_thread::yield();
            copies[w] = std::make_unique<Net>(network);  // reads the shared network while readers run
            train(*copies[w], w, 25);
        });
    go.store(true);
    for (auto& thread : threads) thread.join();

    CHECK(forward_calls.load() == readers * rounds / 2 * samples);
    CHECK(forward_mismatches.load() == 0);
    CHECK(batch_mismatches.load() == 0);
    for (std::size_t w = 0; w < writers; ++w) {
        INFO("training thread ", w);
        REQUIRE(copies[w] != nullptr);
        CHECK(*copies[w] == *trained[w]);  // the same bits as training alone
        CHECK(!(*copies[w] == network));   // and training did change it
    }
    CHECK(*shared == network);  // the shared network was only read
}
