HV_SRCS += $(wildcard dt/*.c)
