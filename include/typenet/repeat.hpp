// Deep networks without writing every layer: repeat<N, Layers...> stands for Layers... written N times.
//
// Documentation: docs/declaring-networks.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
//
//   using Deep = typenet::deep_network<typenet::input<16>, typenet::repeat<30, typenet::dense<64>, typenet::relu>,
//                                      typenet::dense<1>>;
//   // = network<input<16>, dense<64>, relu, dense<64>, relu, ... (30 times), dense<1>>
#pragma once

#include <cstddef>

#include <boost/mp11/algorithm.hpp>
#include <boost/mp11/list.hpp>

#include "network.hpp"

namespace typenet {

template <std::size_t N, class... Layers>
struct repeat {};

namespace detail {
template <class Part>
struct expand_part {
    using type = boost::mp11::mp_list<Part>;
};
template <std::size_t N, class... Layers>
struct expand_part<repeat<N, Layers...>> {
    // Checked here: a repeat<> is only ever named, never instantiated.
    static_assert(N >= 1, "typenet::repeat<N, Layers...>: N must be at least 1");
    static_assert(sizeof...(Layers) >= 1, "typenet::repeat<N, Layers...>: nothing to repeat");
    using type = boost::mp11::mp_repeat_c<boost::mp11::mp_list<Layers...>, N>;
};
}  // namespace detail

// basic_network<T, ...> with every repeat<> part written out: the same type as spelling the layers.
template <class T, class... Parts>
using basic_deep_network =
    boost::mp11::mp_rename<boost::mp11::mp_append<boost::mp11::mp_list<T>, typename detail::expand_part<Parts>::type...>, basic_network>;

template <class... Parts>
using deep_network = basic_deep_network<float, Parts...>;

}  // namespace typenet
