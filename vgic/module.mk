HV_SRCS += $(wildcard vgic/*.c)
