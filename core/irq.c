/*
 * Physical interrupts the hypervisor takes: the kick SGI (its work is the
 * pcpu request, looked at by the caller), the console UART's receive
 * interrupt, which feeds the shell, and passed-through SPIs, which go on to
 * their partition hardware-linked.
 */
#include "console.h"
#include "gic.h"
#include "irq.h"
#include "partition.h"
#include "passthrough.h"
#include "shell.h"
#include "sysreg.h"
#include "vgic.h"

#define GIC_INTID_SPECIAL_FIRST 1020u

/* Act on one acknowledged interrupt; false to stop acknowledging more for now. */
bool irq_handle_one(uint32_t intid)
{
	if (intid >= GIC_INTID_SPECIAL_FIRST)
		return false;
	gic_eoi(intid);                  /* priority drop only (EOImode 1) */
	if (intid == GIC_PPI_VTIMER && this_pcpu()->vcpu) {
		/* Deactivated by the guest's EOI through the HW-linked list register. */
		vgic_inject_timer(this_pcpu()->vcpu);
		return true;
	}
	/*
	 * The virtual timer of a vCPU that has gone off (SYSTEM_OFF with its
	 * timer armed): its level would fire again as soon as it is
	 * deactivated, and the idle CPU would do nothing else.  Turn it off
	 * (CNTV_CTL_EL0.ENABLE = 0); the vCPU's next start resets it anyway.
	 */
	if (intid == GIC_PPI_VTIMER)
		sysreg_write(cntv_ctl_el0, 0);
	struct partition *owner = passthrough_spi_owner(intid);
	/* Deactivated by the guest's EOI, unless its partition is not running. */
	if (owner && vgic_inject_hw_spi(owner, intid))
		return true;
	gic_deactivate(intid);
	if (intid < GIC_NR_SGIS)
		return true;             /* the kick: its work is done on the way back to the guest */
	if (intid == console_irq())
		shell_poll();
	/*
	 * A maintenance interrupt stays asserted until vgic_flush() has dealt
	 * with the list registers that raised it: stop here, the caller flushes.
	 */
	return intid != gic_host()->maint_intid;
}

void irq_handle_pending(void)
{
	while (irq_handle_one(gic_ack()))
		;
}

/* boot/vectors.S: an IRQ taken at EL2 (never unmasked there today). */
void irq_handle_el2(struct gp_regs *f);
void irq_handle_el2(struct gp_regs *f)
{
	(void)f;
	irq_handle_pending();
}
