UNIT_TESTS += life
UNIT_SRCS_life := core/life.c
