HV_SRCS += $(wildcard p2m/*.c)
