HV_SRCS += $(wildcard core/*.c)
