HV_SRCS += $(wildcard mm/*.c)
