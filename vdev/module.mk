HV_SRCS += $(wildcard vdev/*.c)
