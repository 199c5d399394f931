HV_SRCS += $(wildcard shm/*.c)
