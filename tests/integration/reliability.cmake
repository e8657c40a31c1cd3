# Reliability (issue 5): crashes, power cuts, printer faults, hostile input, secrets. Included
# from CMakeLists.txt; the figures and the long commands are in docs/RELIABILITY.md. CTest runs
# the short versions only (the whole suite must stay within minutes).
add_library(crash_support STATIC crash_check.c crash_workload.c)
target_link_libraries(crash_support PUBLIC agenda)

# kill -9 at random moments of a booking loop (C API and agendactl), then restart and check.
add_executable(crash_booker crash_booker.c)
target_link_libraries(crash_booker PRIVATE crash_support)
add_test(NAME integration.crash_kill
  COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/crash_kill_test.py
    $<TARGET_FILE:crash_booker> $<TARGET_FILE:agendactl> --iterations 20)
set_tests_properties(integration.crash_kill PROPERTIES ENVIRONMENT "TZ=Europe/Rome"
  TIMEOUT 300 LABELS reliability)

# Power cuts: a VFS shim throws away what no fsync made durable, at a random write or sync.
add_executable(crash_power_test crash_power_test.c crashvfs.c)
target_link_libraries(crash_power_test PRIVATE crash_support)
add_test(NAME integration.crash_power COMMAND crash_power_test --cuts 40 --seed 1)
set_tests_properties(integration.crash_power PROPERTIES ENVIRONMENT "TZ=Europe/Rome"
  TIMEOUT 300 LABELS reliability)
# The harness can see a loss: with syncs that make nothing durable it must find one.
add_test(NAME integration.crash_power_lying_disk
  COMMAND crash_power_test --cuts 40 --seed 1 --lying-disk)
set_tests_properties(integration.crash_power_lying_disk PROPERTIES ENVIRONMENT "TZ=Europe/Rome"
  TIMEOUT 300 LABELS reliability)
