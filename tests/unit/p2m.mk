UNIT_TESTS += p2m
UNIT_SRCS_p2m := p2m/p2m_table.c
