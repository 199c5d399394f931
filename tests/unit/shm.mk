UNIT_TESTS += shm
UNIT_SRCS_shm := shm/shm_table.c vdev/console_fmt.c
