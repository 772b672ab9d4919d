// A README block that is a whole translation unit.
// README BLOCK
