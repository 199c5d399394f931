UNIT_TESTS += mm
UNIT_SRCS_mm := mm/ranges.c mm/page_pool.c
