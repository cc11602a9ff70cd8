#include "CHeap.h"
#include <malloc.h>

int mimamori_trim_heap(void) { return malloc_trim(0); }
