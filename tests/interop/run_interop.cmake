# Generate the capture and manifest, then check them with tshark and mip4ctl.
execute_process(COMMAND ${GEN} ${PCAP} ${MANIFEST} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "gen_pcap failed (${rc})")
endif()
execute_process(COMMAND ${PY} ${CHECK} --tshark ${TSHARK} --mip4ctl ${MIP4CTL}
                        ${PCAP} ${MANIFEST} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "tshark_check failed (${rc})")
endif()
