// The compile-time plan: widths, fans, parameter counts, offsets and storage, all checked by static_assert.
#include <doctest/doctest.h>

#include <set>

#include <typenet/typenet.hpp>

// The inference and training headers do not need a JSON library; only typenet/io.hpp does.
#ifdef NLOHMANN_JSON_VERSION_MAJOR
#error "typenet/typenet.hpp includes nlohmann/json.hpp"
#endif

using namespace typenet;

using Net = network<input<16>, dense<64, he_uniform>, relu, dense<64, glorot_uniform>, typenet::tanh, dense<8, lecun_uniform>>;

static_assert(Net::input_size == 16);
static_assert(Net::output_size == 8);
static_assert(Net::layer_count == 5);
static_assert(Net::parameter_count == (16 * 64 + 64) + (64 * 64 + 64) + (64 * 8 + 8));
static_assert(std::is_same_v<layer_t<Net, 0>, dense_layer<16, 64, he_uniform, zeros>>);
static_assert(std::is_same_v<layer_t<Net, 1>, relu>);
static_assert(std::is_same_v<layer_t<Net, 2>, dense_layer<64, 64, glorot_uniform, zeros>>);
static_assert(std::is_same_v<layer_t<Net, 3>, typenet::tanh>);
static_assert(layer_t<Net, 2>::fan_in == 64 && layer_t<Net, 2>::fan_out == 64);
static_assert(layer_t<Net, 4>::fan_in == 64 && layer_t<Net, 4>::fan_out == 8);
static_assert(layer_t<Net, 4>::parameter_count == 520);
static_assert(std::is_same_v<layer_t<Net, 4>::declared, dense<8, lecun_uniform>>);
static_assert(layer_t<Net, 0>::weight_bound() == he_uniform::bound(16, 64));
static_assert(layer_t<Net, 0>::weight_init::bound(16, 64) > 0.6123 && layer_t<Net, 0>::weight_init::bound(16, 64) < 0.6124);
// The model is its parameter block: no pointers, no vtable, no training state.
static_assert(sizeof(Net) == Net::storage_size * sizeof(float));
static_assert(alignof(Net) == 64);
static_assert(Net::storage_size >= Net::parameter_count);
static_assert(std::is_trivially_copyable_v<Net>);

using Double = basic_network<double, input<3>, dense<1>, sigmoid>;
static_assert(Double::parameter_count == 4 && Double::output_size == 1);
static_assert(sizeof(Double) % 64 == 0);

// Activations in a row apply in order; consecutive dense layers need no activation between them.
using Stacked = network<input<5>, dense<7>, relu, typenet::tanh, dense<3>, dense<2>, sigmoid>;
static_assert(Stacked::layer_count == 6 && Stacked::output_size == 2);
static_assert(layer_t<Stacked, 4>::fan_in == 3);

template <class N, std::size_t... I>
std::set<const void*> parameter_addresses(const N& net, std::index_sequence<I...>) {
    std::set<const void*> addresses;
    auto add = [&]<std::size_t L>(std::integral_constant<std::size_t, L>) {
        if constexpr (!is_activation_v<layer_t<N, L>>) {
            for (std::size_t out = 0; out < layer_t<N, L>::fan_out; ++out) {
                addresses.insert(&net.template bias<L>(out));
                for (std::size_t in = 0; in < layer_t<N, L>::fan_in; ++in) addresses.insert(&net.template weight<L>(out, in));
            }
        }
    };
    (add(std::integral_constant<std::size_t, I>{}), ...);
    return addresses;
}

template <class N>
void check_storage() {
    N net;
    net.initialize(99);
    const auto addresses = parameter_addresses(net, std::make_index_sequence<N::layer_count>{});
    // Every parameter has its own slot inside the block; everything else is padding and exactly zero.
    CHECK(addresses.size() == N::parameter_count);
    const auto block = net.parameter_block();
    std::size_t padding = 0, nonzero_padding = 0;
    for (const auto& value : block) {
        REQUIRE(reinterpret_cast<std::uintptr_t>(&value) - reinterpret_cast<std::uintptr_t>(block.data()) < sizeof(N));
        if (!addresses.count(&value)) {
            ++padding;
            nonzero_padding += value != 0;
        }
    }
    CHECK(padding == N::storage_size - N::parameter_count);
    CHECK(nonzero_padding == 0);
}

TEST_CASE("every parameter has its own slot in the block, and padding is zero") {
    check_storage<Net>();
    check_storage<Stacked>();
    check_storage<Double>();
    check_storage<basic_network<double, input<17>, dense<33, normal<1.0, 1.0>, ones>, gelu, dense<65>, dense<1>>>();
}
