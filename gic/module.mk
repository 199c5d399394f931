HV_SRCS += $(wildcard gic/*.c)
