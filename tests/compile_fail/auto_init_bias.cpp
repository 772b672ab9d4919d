#include <typenet/typenet.hpp>
// expect: auto_init chooses weight initializers only
typenet::network<typenet::input<3>, typenet::dense<4, typenet::auto_init, typenet::auto_init>> net;
