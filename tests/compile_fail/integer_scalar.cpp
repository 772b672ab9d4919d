#include <typenet/typenet.hpp>
// expect: typenet::basic_network<T, ...>: T must be float or double
typenet::basic_network<int, typenet::input<3>, typenet::dense<2>> net;
