/* CSupport is header-only (static inline helpers); this file gives the target a source. */
#include "lakeingest_support.h"
