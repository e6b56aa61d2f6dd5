/* view/trace.c: the trace view: which participants and messages are shown. */
#include "view/view.h"

#include <string.h>