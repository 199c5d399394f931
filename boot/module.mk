HV_SRCS += $(wildcard boot/*.c)
HV_ASM += $(wildcard boot/*.S)
